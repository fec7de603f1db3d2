"""In a real browser, the Restore tab inpaints a hole drawn with the mouse: a digit is uploaded into
the ImageEditor, a stroke is painted over it, Restore fills it, and only the stroke's pixels change
(Playwright + Debian's chromium, as test_browser.py). Leaves artifacts/browser_restore.png."""

from __future__ import annotations

import io
import time
import urllib.request

import numpy as np
import pytest
from PIL import Image

from app_server import serve_app
from browser import ARTIFACTS, chromium, open_app, until
from restore_fixtures import train_tiny

pytestmark = pytest.mark.slow  # a real browser on the launched app: tens of seconds

EDITOR = "#ganlab-restore-editor"
OUTPUT_SRC = (  # the restored picture's address once the page has drawn it (the screenshot shows it)
    "() => { const img = document.querySelector('#ganlab-restore-output img');"
    " return img && img.complete && img.naturalWidth ? img.src : '' }"
)
DIGIT = "ganlab/ui/examples/digit-3.png"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    root = tmp_path_factory.mktemp("browser-restore")
    train_tiny(root / "zoo" / "digits-inpaint", "pix2pix", "inpaint", steps=30)
    with serve_app(root, GANLAB_PRETRAINED=str(root / "zoo"), OMP_NUM_THREADS="1") as url, chromium() as browser:
        pg = open_app(browser, url)
        pg.get_by_role("tab", name="Restore", exact=True).click()
        yield pg


def _stroke(page) -> None:
    """Pick the brush and drag a diagonal stroke across the middle of the editor's canvas."""
    editor = page.locator(EDITOR)
    editor.get_by_role("button", name="Brush", exact=True).click()
    box = editor.locator("canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(cx - 50, cy - 30)
    page.mouse.down()
    # The brush joins pointer events with lines, so a few do; each one re-renders the canvas in
    # software WebGL here (about 0.5 s each under --disable-gpu), so 32 of them cost 15-30 s.
    for i in range(1, 5):
        page.mouse.move(cx - 50 + i * 24, cy - 30 + i * 16)
    page.mouse.up()


def test_a_hole_drawn_with_the_mouse_is_inpainted(page):
    page.locator("#ganlab-restore-task").get_by_text("inpaint", exact=True).click()
    # the editor's canvas first: a file set before it is ready can be dropped (2 runs in 7 here)
    page.locator(f"{EDITOR} canvas").first.wait_for(timeout=30_000)
    page.locator(f"{EDITOR} input[type=file]").set_input_files(DIGIT)
    shown = f"() => document.querySelector('{EDITOR}').innerText"
    until(page, shown, lambda text: "Upload an image" not in text, 60, "the uploaded digit")  # slow when busy
    # the editor's label follows the task, and a task change keeps the picture
    page.locator("#ganlab-restore-task").get_by_text("denoise", exact=True).click()
    until(page, shown, lambda text: "Picture to denoise" in text, 30, "the denoise label")
    page.locator("#ganlab-restore-task").get_by_text("inpaint", exact=True).click()
    until(page, shown, lambda text: "paint the hole" in text, 30, "the inpaint label")
    assert "Upload an image" not in page.evaluate(shown)
    time.sleep(1)  # the canvas draws the picture before it can be sent
    page.get_by_role("button", name="Restore", exact=True).click()
    page.wait_for_selector("text=draw the hole on the image", timeout=30_000)  # nothing drawn yet: said so
    _stroke(page)
    page.get_by_role("button", name="Restore", exact=True).click()
    src = until(page, OUTPUT_SRC, bool, 60, "the inpainted picture", "browser_restore_failure.png")
    until(
        page,
        "() => document.querySelectorAll('#ganlab-restore-slider img').length",
        lambda n: n >= 1,
        30,
        "the before/after view",
        "browser_restore_failure.png",
    )
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_restore.png"), full_page=True)
    with urllib.request.urlopen(src, timeout=10) as response:
        out = np.asarray(Image.open(io.BytesIO(response.read())).convert("L"))
    before = np.asarray(Image.open(DIGIT))
    assert out.shape == before.shape == (28, 28)
    changed = out != before
    assert 0.02 < changed.mean() < 0.6, changed.mean()  # the stroke, not nothing and not everything
    rows, cols = np.nonzero(changed)
    assert rows.min() > 2 and rows.max() < 25 and cols.min() > 2 and cols.max() < 25  # the stroke's middle band
    assert "raised an exception" not in page.evaluate("() => document.body.innerText")
