"""A real browser (Playwright + Debian's chromium) on the launched app: pick a lesson, press Train,
and see what a person sees — loss curves with points, a sample grid that changes.

Leaves a screenshot in artifacts/ (kept by CI as a test artifact).
"""

from __future__ import annotations

import io
import json
import re
import time

import numpy as np
import pytest
from PIL import Image

from app_server import serve_app
from browser import ARTIFACTS, chromium, open_app, until

pytestmark = pytest.mark.slow  # a real browser on the launched app: tens of seconds each
LINE_POINTS_JS = """() => [...document.querySelectorAll('#ganlab-loss-plot .mark-line path')]
    .map(p => ((p.getAttribute('d') || '').match(/L/g) || []).length)"""
GRID_SRC_JS = "() => (document.querySelector('#ganlab-main-view img') || {}).src || ''"
STEP_JS = "() => document.body.innerText"


def _pixels(page, src: str) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(page.request.get(src).body())).convert("L"), dtype=int)


def _fake_to_real(page, src: str) -> float:
    """Mean pixel distance from G's dots (purple) to the nearest real dot (green) in the 2D view."""
    from ganlab.render.views import FAKE, REAL

    image = np.asarray(Image.open(io.BytesIO(page.request.get(src).body())).convert("RGB"))
    fake, real = (np.argwhere((image == colour).all(axis=-1))[::7] for colour in (FAKE, REAL))
    assert len(fake) and len(real), "the view shows no real or no generated points"
    return float(np.sqrt(((fake[:, None, :] - real[None, :, :]) ** 2).sum(-1)).min(axis=1).mean())


def _step(text: str) -> int:
    found = re.search(r"step ([0-9,]+) /", text)
    return int(found.group(1).replace(",", "")) if found else 0


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    # one training run per device, and a fast heartbeat so a closed tab is noticed in ~1 s
    with serve_app(
        tmp_path_factory.mktemp("browser-app"), GANLAB_MAX_JOBS_CPU="1", GRADIO_HEARTBEAT_INTERVAL="1"
    ) as url:
        yield url


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture
def page(browser, app_url):
    pg = open_app(browser, app_url)
    yield pg
    pg.close()


def test_lesson_then_train_shows_live_curves_and_a_changing_grid(page):
    page.get_by_label("Lesson presets (one click, then Train)").click()
    page.get_by_role("option", name="DCGAN on digits in a minute").click()
    page.get_by_role("button", name="Load lesson").click()
    page.wait_for_selector("text=Radford", timeout=20_000)  # the lesson's explanation is shown
    page.get_by_role("button", name="▶ Train").click()

    first = until(page, GRID_SRC_JS, bool, 60, "the first sample grid")
    lines = until(page, LINE_POINTS_JS, lambda v: len(v) >= 2 and min(v) >= 5, 90, "D and G loss curves with points")
    assert len(lines) == 2  # D loss and G loss
    until(page, STEP_JS, lambda text: _step(text) >= 150, 90, "150 training steps")
    later = until(page, GRID_SRC_JS, lambda src: src and src != first, 30, "the sample grid to change")
    change = np.abs(_pixels(page, first) - _pixels(page, later))
    assert change.max() > 60 and (change > 20).mean() > 0.05  # strokes, not a flicker of grey
    assert "running" in page.locator("text=steps/s").first.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_train.png"), full_page=True)

    page.get_by_role("button", name="■ Stop").click()
    page.wait_for_selector("text=/stopped|finished/", timeout=20_000)  # a fast run may end first


def test_train_clicked_before_the_data_sets_settings_arrive_still_trains_that_sets_preset(page):
    """On a busy server the form's fill for a newly picked data set can arrive after the click on
    Train, which then carries the previous set's values. Hold every request until both are sent."""
    from ganlab.families.gan.presets import recommended_config

    ring_steps, digits_steps = recommended_config("ring8").steps, recommended_config("digits").steps
    assert ring_steps != digits_steps  # else this shows nothing
    held = []
    page.route("**/queue/join*", lambda route: held.append(route))
    page.get_by_label("Data", exact=True).click()
    page.get_by_text("Ring of 8 Gaussians").first.click()
    page.get_by_role("button", name="▶ Train").click()
    deadline = time.monotonic() + 20
    while not any(len(json.loads(r.request.post_data)["data"]) > 30 for r in held):  # Train's request
        assert time.monotonic() < deadline, "the click on Train sent no request"
        page.wait_for_timeout(50)
    for route in held:
        route.continue_()
    page.unroute("**/queue/join*")
    text = until(page, STEP_JS, lambda text: _step(text) >= 1, 60, "ring-8 training to start")
    assert f"/ {ring_steps:,}" in text and f"/ {digits_steps:,}" not in text  # the ring-8 preset's steps
    page.get_by_role("button", name="■ Stop").click()
    page.wait_for_selector("text=/stopped|finished/", timeout=20_000)


def test_closing_the_tab_stops_its_run_and_frees_the_device(browser, app_url):
    from gradio_client import Client
    from gradio_client.exceptions import AppError

    pg = open_app(browser, app_url)
    pg.get_by_role("button", name="▶ Train").click()
    until(pg, STEP_JS, lambda text: _step(text) >= 1, 60, "training to start")
    other = Client(app_url, verbose=False)
    try:
        with pytest.raises(AppError, match="busy"):  # the cap is 1 run per device here
            other.predict(api_name="/train")
        pg.close()  # the student closes the tab
        deadline = time.monotonic() + 30
        while True:
            try:
                other.predict(api_name="/train")
                break
            except AppError as exc:
                assert "busy" in str(exc) and time.monotonic() < deadline, str(exc)
                time.sleep(0.5)
        assert other.predict(api_name="/status")["state"] in ("running", "finished")
        other.predict(api_name="/stop")
    finally:
        other.close()


def test_drawing_points_then_train_learns_the_drawing(page):
    page.get_by_label("Data", exact=True).click()
    page.get_by_role("option", name="2D · Draw your own points").click()
    pad = page.locator("#ganlab-drawing")
    pad.get_by_role("button", name="Brush").click()
    box = pad.locator("canvas").first.bounding_box()
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    for dx in (-90, 60):  # two slanted strokes, as a student would draw them
        page.mouse.move(cx + dx, cy - 80)
        page.mouse.down()
        for i in range(1, 6):  # the brush joins pointer events with lines; each costs ~0.5 s to render here
            page.mouse.move(cx + dx + i * 12, cy - 80 + i * 32)
        page.mouse.up()
    page.get_by_role("button", name="▶ Train").click()
    first = until(page, GRID_SRC_JS, bool, 60, "the 2D view")
    assert "Real vs generated (2D)" in page.evaluate(STEP_JS)
    until(page, STEP_JS, lambda text: _step(text) >= 400, 90, "training on the drawing")
    before = _fake_to_real(page, first)
    seen: dict[str, float] = {}  # G's points move onto the strokes: each new 2D view, until they are there

    def closer(src: str) -> bool:
        if not src or src == first:
            return False
        if src not in seen:
            seen[src] = _fake_to_real(page, src)
        return seen[src] < 0.5 * before

    until(page, GRID_SRC_JS, closer, 90, f"G's points (mean {before:.0f} px from the drawing at first) to halve that")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_drawing.png"), full_page=True)
    page.get_by_role("button", name="■ Stop").click()
    page.wait_for_selector("text=/stopped|finished/", timeout=20_000)  # a fast run may end first
