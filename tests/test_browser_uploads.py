"""In a real browser, a bad photo dropped on the Style tab gets its reason in a toast, the page
keeps working, and a good photo then translates (Playwright + Debian's chromium, as test_browser.py)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
if not Path(CHROMIUM).exists():
    pytest.skip("chromium is not installed (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")

from app_server import serve_app  # noqa: E402
from bad_files import bomb_png  # noqa: E402

ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
PHOTO_INPUT = "#ganlab-style-photo input[type=file]"


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("browser-uploads"), OMP_NUM_THREADS="1") as url, \
            sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        pg = browser.new_page(viewport={"width": 1600, "height": 1100})
        pg.goto(url)
        pg.wait_for_selector("text=Load lesson", timeout=60_000)
        pg.get_by_role("tab", name="Style", exact=True).click()
        yield pg
        browser.close()


def _clear_photo(page) -> None:
    clear = page.locator("#ganlab-style-photo").get_by_role("button", name="Clear")
    if clear.count():
        clear.first.click()


@pytest.mark.parametrize("name, raw, reason", [
    ("notes.jpg", b"these are my lecture notes, not a picture\n" * 20, "not a readable image"),
    ("bomb.png", bomb_png(30000, 30000), "decompression bomb"),
])
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
