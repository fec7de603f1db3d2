"""The model overview graph: z -> G -> fakes -> D <- reals -> verdicts -> losses, drawn from a live
snapshot with its thumbnails, for a 2D run, an image run, before the first step and after a divergence."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ganlab.families.gan.job import TrainingJob
from ganlab.families.gan.presets import recommended_config
from ganlab.render import overview
from ganlab.render.points import FAKE, REAL


def _node(image: np.ndarray, name: str) -> np.ndarray:
    x0, y0, x1, y1 = overview.NODES[name]
    return image[y0:y1, x0:x1]


def _has(region: np.ndarray, colour, tol: int = 6) -> bool:
    return bool((np.abs(region.astype(int) - np.array(colour)).max(axis=-1) <= tol).any())


@pytest.fixture(scope="module")
def ring_job():
    job = TrainingJob(recommended_config("ring8", device="cpu", width=16, depth=1, batch_size=64))
    yield job
    job.close()


@pytest.fixture(scope="module")
def digits_job():
    job = TrainingJob(recommended_config("digits", device="cpu", width=8, batch_size=16))
    yield job
    job.close()


def test_a_2d_run_before_its_first_step_shows_every_node(ring_job):
    snap = ring_job.snapshot
    assert snap.step == 0 and len(snap.history) == 0
    image = overview.overview_image(snap)
    assert image.shape == (720, 1280, 3) and image.dtype == np.uint8
    assert _has(_node(image, "fake"), FAKE) and not _has(_node(image, "fake"), REAL)
    assert _has(_node(image, "real"), REAL) and not _has(_node(image, "real"), FAKE)
    surface = _node(image, "D")[20:-20, 20:-20]
    assert surface.std() > 0 and (surface < 250).any()  # D's surface is drawn, not a blank box
    views = snap.points
    assert views.fake_score.shape == (len(views.fake),) and views.real_score.shape == (len(views.real),)
    assert 0 <= views.fake_score.min() and views.fake_score.max() <= 1


def test_each_generated_point_is_coloured_by_ds_verdict_on_it(ring_job):
    snap = ring_job.snapshot
    says = {}
    for score in (0.0, 1.0):
        views = dataclasses.replace(snap.points, fake_score=np.full(len(snap.points.fake), score))
        says[score] = _node(overview.overview_image(dataclasses.replace(snap, points=views)), "verdicts")
    assert _has(says[1.0], REAL) and not _has(says[1.0], FAKE)  # D says "real" to every fake: green
    assert _has(says[0.0], FAKE) and not _has(says[0.0], REAL)


def test_the_loss_values_appear_once_the_run_has_steps(ring_job):
    before = overview.overview_image(ring_job.snapshot)
    ring_job.record(ring_job.trainer.run(3))
    after = overview.overview_image(ring_job.make_snapshot())
    changed = np.abs(_node(after, "g_loss").astype(int) - _node(before, "g_loss").astype(int)).max()
    assert changed > 100  # "--" became a number


def test_an_image_run_shows_sample_grids_framed_by_ds_score(digits_job):
    snap = digits_job.snapshot
    assert snap.real_samples.shape == (16, 1, 16, 16)
    assert snap.fake_scores.shape == (16,) and snap.real_scores.shape == (16,)
    image = overview.overview_image(snap)
    assert _has(_node(image, "fake"), FAKE) and _has(_node(image, "real"), REAL)
    real = _node(image, "real")[10:-10, 10:-10]
    assert (real > 200).any() and (real < 30).any()  # white strokes on black: real digits
    frames = overview.score_colours(np.concatenate([snap.fake_scores[:8], snap.real_scores[:8]]))
    verdicts = _node(image, "verdicts")
    assert all(_has(verdicts, tuple(int(v) for v in c), tol=2) for c in frames)


def test_a_diverged_run_renders_its_nans_without_crashing(ring_job):
    snap = ring_job.snapshot
    nan_views = dataclasses.replace(
        snap.points,
        fake=np.full_like(snap.points.fake, np.nan),
        surface=np.full_like(snap.points.surface, np.nan),
        fake_score=np.full(len(snap.points.fake), np.nan),
        manifold=np.full_like(snap.points.manifold, np.nan),
    )
    broken = dataclasses.replace(
        snap, state="diverged", history=np.full((4, snap.history.shape[1]), np.nan), points=nan_views
    )
    image = overview.overview_image(broken)
    assert image.shape == (720, 1280, 3)
    assert _has(image[:60], overview.DIVERGED, tol=10)  # the title says it diverged
    assert _has(_node(image, "d_loss"), overview.DIVERGED, tol=10)  # the NaN loss is shown in red
    assert not _has(_node(image, "fake"), FAKE)  # nothing finite to draw


def test_other_sizes_and_a_snapshot_without_samples():
    job = TrainingJob(recommended_config("ring8", device="cpu", width=8, depth=1, batch_size=16))
    try:
        small = overview.overview_image(job.snapshot, size=(640, 360))
        assert small.shape == (360, 640, 3)
        empty = dataclasses.replace(job.snapshot, data_kind="image", points=None, samples=None, coverage=None)
        assert overview.overview_image(empty).shape == (720, 1280, 3)
    finally:
        job.close()


def test_a_1d_run_shows_its_densities_and_d_beside_d_star():
    job = TrainingJob(recommended_config("bimodal1d", device="cpu", width=16, depth=1, batch_size=64))
    try:
        image = overview.overview_image(job.make_snapshot())
    finally:
        job.close()
    assert _has(_node(image, "real"), REAL) and _has(_node(image, "fake"), FAKE)  # p_data, and G's samples
    d_node = _node(image, "D")
    assert _has(d_node, (59, 117, 175)) and _has(d_node, (230, 120, 20))  # D(x) and the dashed D*
