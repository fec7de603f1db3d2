"""The tab registry in ganlab.ui.app: every listed tab builds, a mistyped one fails loudly."""

import pytest

from ganlab.ui import app


def test_every_listed_tab_module_has_a_build_function():
    for _, module_name in app.TABS:
        assert callable(app._tab_builder(module_name))


def test_a_mistyped_tab_module_raises_a_clear_error():
    with pytest.raises(ValueError, match="tab module 'ganlab.ui.tabs.trian' does not exist"):
        app._tab_builder("ganlab.ui.tabs.trian")
