"""The classroom views in real Chromium (#14): presenter mode driven from the keyboard, slow
motion's captions advancing, and every new 2D view with something drawn in it.

Leaves screenshots in artifacts/ (browser_presenter.png, browser_classroom_views.png).
"""

from __future__ import annotations

import re

import pytest

from app_server import serve_app
from browser import ARTIFACTS, chromium, open_app, until

pytestmark = pytest.mark.slow
TEXT_JS = "() => document.body.innerText"
STATE_JS = "() => ((document.querySelector('#ganlab-status') || {}).innerText || '').split('·')[0]"
CAPTION_JS = "() => (document.querySelector('#ganlab-slow-caption') || {}).innerText || ''"
SRC_JS = "(id) => (document.querySelector(id + ' img') || {}).src || ''"


def _step(text: str) -> int:
    found = re.search(r"step ([0-9,]+) /", text)
    return int(found.group(1).replace(",", "")) if found else 0


def _substep(caption: str) -> int:
    found = re.search(r"Sub-step (\d+) of (\d+)", caption)
    return int(found.group(1)) if found else 0


@pytest.fixture(scope="module")
def app_url(tmp_path_factory):
    with serve_app(tmp_path_factory.mktemp("classroom-app"), GANLAB_MAX_JOBS_CPU="2") as url:
        yield url


@pytest.fixture
def page(app_url):
    with chromium() as browser:
        pg = open_app(browser, app_url)
        yield pg
        pg.close()


def _start_lesson(page) -> None:
    page.get_by_label("Lesson presets (one click, then Train)").click()
    page.get_by_role("option", name="What one GAN step does (slow motion)").click()
    page.get_by_role("button", name="Load lesson").click()
    page.wait_for_selector("text=eleven sub-steps", timeout=20_000)
    page.get_by_role("button", name="▶ Train").click()
    until(page, TEXT_JS, lambda text: _step(text) >= 30, 90, "training to start")


def test_presenter_mode_runs_slow_motion_from_the_keyboard(page):
    _start_lesson(page)
    page.get_by_label("Auto play (1 s per sub-step)").uncheck()
    page.locator("#ganlab-presenter input[type=checkbox]").check()
    until(page, "() => document.body.classList.contains('ganlab-presenter')", bool, 10, "presenter mode")
    assert not page.get_by_role("button", name="Load lesson").is_visible()  # the form is hidden
    assert page.get_by_role("button", name="❚❚ Pause").is_visible()
    page.keyboard.press("ArrowRight")  # → : the first sub-step of a slow iteration
    first = until(page, CAPTION_JS, lambda c: _substep(c) == 1, 60, "sub-step 1's caption")
    assert "1. D · Real samples drawn" in first
    until(page, STATE_JS, lambda state: "paused" in state, 20, "the run to be paused by slow motion")
    shown = [first]
    for expected in range(2, 6):
        page.keyboard.press("ArrowRight")
        shown.append(until(page, CAPTION_JS, lambda c, e=expected: _substep(c) == e, 20, f"sub-step {expected}"))
    assert "D's loss" in shown[3] and "D's gradients and update" in shown[4]
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_presenter.png"), full_page=True)
    shows = "() => !!document.getElementById('{}')?.checkVisibility()"
    until(page, shows.format("ganlab-resume-btn"), bool, 20, "the Resume button while paused")
    page.keyboard.press(" ")  # space: resume
    until(page, STATE_JS, lambda state: "running" in state, 20, "space to resume the run")
    page.keyboard.press(" ")  # a quick double press, before the page can show Pause: pause, then resume
    page.keyboard.press(" ")  # (the page used to click the Pause it still showed twice: paused)
    page.wait_for_timeout(4000)  # both presses handled (each returns once the run has obeyed)
    until(page, STATE_JS, lambda state: "running" in state, 20, "a double press to leave the run running")
    until(page, shows.format("ganlab-pause-btn"), bool, 20, "the Pause button after the double press")
    page.keyboard.press(" ")  # and one press pauses
    until(page, STATE_JS, lambda state: "paused" in state, 20, "space to pause the run again")


def test_every_new_2d_view_is_drawn(page):
    _start_lesson(page)
    page.get_by_label("Auto play (1 s per sub-step)").uncheck()
    page.get_by_role("button", name="Slow-motion step").click()
    until(page, CAPTION_JS, lambda c: _substep(c) == 1, 60, "the slow-motion view")
    for element in ("#ganlab-slow-view", "#ganlab-morph-view", "#ganlab-main-view"):
        until(page, f"() => ({SRC_JS})('{element}')", bool, 30, f"a picture in {element}")
    gallery = page.locator("#ganlab-slow-gallery img")
    until(
        page,
        "() => document.querySelectorAll('#ganlab-slow-gallery img').length",
        lambda n: n >= 11,
        30,
        "the eleven sub-step thumbnails",
    )
    assert gallery.count() >= 11
    until(
        page,
        "() => [...document.querySelectorAll('#ganlab-divergence-plot .mark-line path')].length",
        lambda n: n >= 2,
        60,
        "the KL and JS curves",
    )
    page.get_by_text("Model overview: the data flow of one iteration, live").click()
    until(page, f"() => ({SRC_JS})('#ganlab-overview-view')", bool, 30, "the model overview graph")
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_classroom_views.png"), full_page=True)


def test_a_1d_run_shows_the_densities_and_the_optimal_d(page):
    page.get_by_label("Data", exact=True).click()
    page.get_by_role("option", name="1D · Two Gaussians (bimodal)").click()
    page.wait_for_selector("text=Densities, D and the optimal D*", timeout=20_000)
    page.get_by_role("button", name="▶ Train").click()
    until(page, TEXT_JS, lambda text: _step(text) >= 50, 90, "a 1D run to train")
    until(page, f"() => ({SRC_JS})('#ganlab-main-view')", bool, 30, "the density chart")
    assert not page.locator("#ganlab-morph-view").is_visible()  # a 2D-only view stays hidden
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "browser_1d.png"), full_page=False)
