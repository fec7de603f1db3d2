"""What every browser test shares: Debian's chromium under Playwright, its flags, where
screenshots go, opening the app, and waiting for the page to show something."""

from __future__ import annotations

import shutil
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import require, require_module

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = [
    "--no-sandbox",
    "--headless",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@contextmanager
def chromium():
    """A headless Debian chromium (a missing browser or Playwright skips here, fails in CI)."""
    require(Path(CHROMIUM).exists(), "chromium is not installed (apt-get install -y chromium; `make test` does this)")
    sync_api = require_module("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            yield browser
        finally:
            browser.close()


def open_app(browser, url: str):
    """A new page on the app, once its first tab has rendered."""
    page = browser.new_page(viewport={"width": 1600, "height": 1100})
    page.goto(url)
    page.wait_for_selector("text=Load lesson", timeout=60_000)
    return page


def until(page, js: str, predicate, timeout_s: float, what: str, shot: str = "browser_failure.png"):
    """Poll ``js`` until ``predicate`` holds; on a time-out, screenshot the page and fail saying what."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = page.evaluate(js)
        if predicate(value):
            return value
        if time.monotonic() > deadline:
            ARTIFACTS.mkdir(exist_ok=True)
            page.screenshot(path=str(ARTIFACTS / shot), full_page=True)
            pytest.fail(f"timed out waiting for {what}; last value {value!r}")
        time.sleep(0.25)
