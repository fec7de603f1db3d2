"""GAN Lab's entry point (and the Hugging Face Space's): ``python app.py``.

Serves on http://127.0.0.1:7860; set GRADIO_SERVER_NAME / GRADIO_SERVER_PORT
to change the host and port.
"""

from ganlab.ui.app import build_app, launch

demo = build_app()

if __name__ == "__main__":
    launch(demo)
