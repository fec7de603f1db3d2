"""In a real browser (Playwright + Debian's chromium, as test_browser.py), the Style mixing tab
shows a grid for a saved StyleGAN run, and moving the crossover slider changes the picture.

Leaves a screenshot in artifacts/.
"""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from app_server import serve_app
from browser import ARTIFACTS, chromium, open_app, until
from style_fixtures import train_tiny_style

pytestmark = pytest.mark.slow  # a real browser on the launched app: tens of seconds

GRID_SRC_JS = "() => (document.querySelector('#ganlab-mix-grid img') || {}).src || ''"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("browser-mix")
    assert train_tiny_style(str(workdir / "runs" / "style"), 2) == 0  # the app lists it as runs/style
    with serve_app(workdir, OMP_NUM_THREADS="1") as url, chromium() as browser:
        pg = open_app(browser, url)
        pg.get_by_role("tab", name="Style mixing").click()
        yield pg


def _pixels(page, src: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page.request.get(src).body())).convert("L"), dtype=int)


def test_moving_the_crossover_slider_changes_the_grid(page):
    page.wait_for_selector("text=coarse styles from the rows", timeout=30_000)  # the caption
    first = until(page, GRID_SRC_JS, bool, 30, "the first mixing grid", shot="browser_mix_failure.png")
    number = page.locator("#ganlab-mix-crossover input[type=number]")
    assert number.input_value() == "1"  # the end of the coarse layers of mnist-style, the tab's default
    page.locator("#ganlab-mix-crossover input[type=range]").focus()
    page.keyboard.press("End")  # crossover at the last layer: every cell is its row source
    page.wait_for_selector("text=every style from the rows", timeout=30_000)
    later = until(
        page, GRID_SRC_JS, lambda src: src and src != first, 30, "the grid to change", shot="browser_mix_failure.png"
    )
    before, after = _pixels(page, first), _pixels(page, later)
    assert before.shape == after.shape and np.abs(before - after).max() > 20
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_mix.png"), full_page=True)
    assert "raised an exception" not in page.evaluate("() => document.body.innerText")
