"""Assemble the tabs into one gr.Blocks and serve it.

To add a tab, add one line to ``TABS``: a label and a module with a
``build()`` function that lays the tab out inside the current Blocks.
"""

import logging
import threading
import warnings
from importlib import import_module
from typing import Callable

import gradio as gr

from ganlab import limits
from ganlab.ui import presenter, sessions, tools

log = logging.getLogger(__name__)

TABS: list[tuple[str, str]] = [
    ("Train", "ganlab.ui.tabs.train"),
    ("Race", "ganlab.ui.tabs.race"),
    ("Train CycleGAN", "ganlab.ui.tabs.cyclegan"),
    ("Explore", "ganlab.ui.tabs.explore"),
    ("Style mixing", "ganlab.ui.tabs.mix"),
    ("Interpolate", "ganlab.ui.tabs.interpolate"),
    ("Style", "ganlab.ui.tabs.style"),
    ("Restore", "ganlab.ui.tabs.restore"),
]

CSS = (
    """
.gradio-container { font-size: 16px; }
#ganlab-main-view img, #ganlab-mix-grid img, #ganlab-restore-output img {
  image-rendering: pixelated; width: 100%; height: 100%; object-fit: contain;
}
#ganlab-restore-gallery img, #ganlab-restore-slider img { image-rendering: pixelated; }
#ganlab-restore-gallery .caption-label { white-space: normal; text-overflow: clip; max-width: 100%; }
#ganlab-slow-view img { width: 100%; height: 100%; object-fit: contain; }
"""
    + presenter.CSS
)
HEADER = (
    "# GAN Lab\nWatch a generative adversarial network learn, live: pick data and a device, "
    "press **Train**, and see G's samples and D's verdicts change twice a second."
)


def _tab_builder(module_name: str) -> Callable[[], None]:
    """The tab module's ``build``; a mistyped module name fails loudly instead of losing the tab."""
    try:
        module = import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name == module_name:
            known = ", ".join(name for _, name in TABS)
            raise ValueError(f"tab module {module_name!r} does not exist (TABS lists: {known})") from None
        raise
    build = getattr(module, "build", None)
    if not callable(build):
        raise ValueError(f"tab module {module_name!r} has no build() function")
    return build


def build_app() -> gr.Blocks:
    """Every tab in ``TABS``, one job per browser session, cleaned up when the tab closes; plus the
    run-by-id tools (:mod:`ganlab.ui.tools`), the only endpoints besides the tabs' own that MCP lists."""
    with gr.Blocks(title="GAN Lab", fill_width=True, delete_cache=(600, 1800)) as demo:
        gr.Markdown(HEADER)
        with gr.Tabs():
            for label, module_name in TABS:
                build = _tab_builder(module_name)
                with gr.Tab(label):
                    build()
        tools.register()
        demo.unload(sessions.forget_session)
    tools.keep_browser_endpoints_out(demo)
    demo.queue(default_concurrency_limit=4, max_size=64)
    return demo


# Imported on first use so the page is served sooner (benchmarks/startup.py); warmed once it is,
# so the first Restore score (torchmetrics, with scipy: ~1.7 s) or x4 bicubic (torchvision: ~3 s)
# does not pay for it.
WARM_IMPORTS = ("torchmetrics.functional.image", "torchvision.transforms.v2.functional")


def warm_up() -> None:
    """Load what the first clicks need in the background: digits and the classifier for Train,
    then the libraries Restore imports on first use."""

    def work():
        try:
            from ganlab.families.gan.presets import recommended_config
            from ganlab.families.gan.job import _classifier_for, cached_dataset

            cached_dataset(recommended_config("digits"))
            _classifier_for("digits")
            for name in WARM_IMPORTS:
                import_module(name)
        except Exception:  # warming is an optimisation only
            log.exception("warm-up failed")

    threading.Thread(target=work, name="ganlab-warm-up", daemon=True).start()


def launch(demo: gr.Blocks | None = None, **kwargs) -> gr.Blocks:
    """Serve on 127.0.0.1:7860 unless GRADIO_SERVER_NAME / GRADIO_SERVER_PORT (or kwargs) say otherwise."""
    demo = demo or build_app()
    block = not kwargs.pop("prevent_thread_lock", False)
    # Gradio refuses an over-size upload before it reaches a handler (the handlers check again)
    kwargs.setdefault("max_file_size", limits.get("upload_bytes"))
    kwargs.setdefault("mcp_server", tools.mcp_enabled())  # at /gradio_api/mcp/; GANLAB_MCP=0 turns it off
    # Gradio warns about gr.State inputs of every public endpoint, listed or not; no listed tool has one
    # (tests/test_mcp.py), the browser-session endpoints that do are kept out of the tool list
    warnings.filterwarnings("ignore", message="This MCP server includes a tool that has a gr.State input")
    demo.launch(css=CSS, js=presenter.KEYBOARD_JS, prevent_thread_lock=True, **kwargs)
    warm_up()
    if block:
        demo.block_thread()
    return demo
