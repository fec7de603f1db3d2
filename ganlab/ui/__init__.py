"""The Gradio app: one module per tab, assembled by :func:`ganlab.ui.app.build_app`.

Only this package imports gradio; everything it shows comes from the core.
"""


def build_app():
    """Build the whole app (imported lazily so ``import ganlab.ui`` stays cheap)."""
    from ganlab.ui.app import build_app as _build

    return _build()


__all__ = ["build_app"]
