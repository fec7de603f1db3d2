"""In a real browser, a bad photo dropped on the Style tab gets its reason in a toast, the page
keeps working, and a good photo then translates (Playwright + Debian's chromium, as test_browser.py)."""

from __future__ import annotations


import pytest
from PIL import Image

from app_server import serve_app
from bad_files import bomb_png
from browser import chromium, open_app

pytestmark = pytest.mark.slow  # a real browser on the launched app: tens of seconds

PHOTO_INPUT = "#ganlab-style-photo input[type=file]"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("browser-uploads"), OMP_NUM_THREADS="1") as url, chromium() as browser:
        pg = open_app(browser, url)
        pg.get_by_role("tab", name="Style", exact=True).click()
        yield pg


def _clear_photo(page) -> None:
    clear = page.locator("#ganlab-style-photo").get_by_role("button", name="Clear")
    if clear.count():
        clear.first.click()


@pytest.mark.parametrize(
    "name, raw, reason",
    [
        ("notes.jpg", b"these are my lecture notes, not a picture\n" * 20, "not a readable image"),
        ("bomb.png", bomb_png(30000, 30000), "decompression bomb"),
    ],
)
def test_a_bad_photo_gets_its_reason_in_the_page(page, tmp_path, name, raw, reason):
    path = tmp_path / name
    path.write_bytes(raw)
    _clear_photo(page)
    page.locator(PHOTO_INPUT).set_input_files(str(path))
    page.wait_for_selector(f"text={reason}", timeout=30_000)
    assert "raised an exception" not in page.evaluate("() => document.body.innerText")


def test_then_a_good_photo_translates(page, tmp_path):
    photo = tmp_path / "small.jpg"
    Image.effect_noise((120, 80), 60).convert("RGB").save(photo, quality=90)
    _clear_photo(page)
    page.locator(PHOTO_INPUT).set_input_files(str(photo))
    page.get_by_role("button", name="Translate", exact=True).click()
    # the round-trip note comes from compare(), which reads the photo and the translation back
    page.wait_for_selector("text=differs from the input", timeout=60_000)
