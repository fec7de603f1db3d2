"""TrainingJob: a background run that pauses, steps, resumes, stops and publishes snapshots.

Tiny 2D configs on the CPU, so each test takes a second or two.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from ganlab.families.gan.config import OptimizerConfig
from ganlab.errors import ConfigError, GanLabError
from ganlab.families.gan.presets import recommended_config
from ganlab.families import FAMILIES
from ganlab.families.gan.job import HISTORY_COLUMNS, TrainingJob

start_job = FAMILIES["gan"].start  # the registry is how the app starts a run
from ganlab.families.gan.state import restore_trainer
from ganlab.engine.background import DeviceSlots


def _cfg(**changes):
    base = dict(device="cpu", width=32, depth=2, batch_size=64, steps=100_000, seed=0)
    base.update(changes)
    return recommended_config("ring8").updated(**base)


def _wait(predicate, timeout=20.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.01)


@pytest.fixture
def slots():
    return DeviceSlots()


def test_job_trains_in_background_and_publishes_snapshots(slots):
    job = start_job(_cfg(), slots=slots)
    try:
        first = job.snapshot
        _wait(lambda: job.snapshot.step >= 50)
        snap = job.snapshot
        assert snap.version > first.version and snap.state == "running"
        assert snap.history.shape[1] == len(HISTORY_COLUMNS) and len(snap.history) == snap.step
        assert not snap.history.flags.writeable  # readers cannot corrupt it
        assert np.array_equal(snap.history[:, 0], np.arange(1, snap.step + 1))
        assert snap.samples.shape == (1024, 2)
        assert snap.points is not None and snap.points.surface.shape[0] == snap.points.surface.shape[1]
        assert snap.coverage is not None and snap.coverage.modes_total == 8
        assert snap.device == "cpu"
        _wait(lambda: job.snapshot.steps_per_s > 0)
    finally:
        job.stop()
    assert not job.alive and job.state == "stopped"
    assert slots.in_use("cpu") == 0


def test_pause_step_resume_and_changes_apply_on_resume(slots):
    job = start_job(_cfg(), slots=slots)
    try:
        _wait(lambda: job.snapshot.step >= 20)
        job.pause()
        _wait(lambda: job.snapshot.state == "paused")
        paused_at = job.snapshot.step
        time.sleep(0.4)
        assert job.trainer.step_count == paused_at  # nothing moves while paused
        job.step(3)
        _wait(lambda: job.snapshot.step == paused_at + 3)
        time.sleep(0.2)
        assert job.trainer.step_count == paused_at + 3 and job.state == "paused"
        job.update(g_lr=5e-4, objective="lsgan")
        time.sleep(0.3)
        assert job.trainer.cfg.objective == "nonsaturating"  # not before resume
        job.resume()
        _wait(lambda: job.snapshot.step > paused_at + 10)
        assert job.trainer.cfg.objective == "lsgan" and job.trainer.objective.name == "lsgan"
        assert job.trainer.opt_g.param_groups[0]["lr"] == pytest.approx(5e-4)
        assert job.snapshot.g_lr == pytest.approx(5e-4) and job.snapshot.objective == "lsgan"
    finally:
        job.stop()


def test_bad_change_is_refused_with_the_field_name(slots):
    job = TrainingJob(_cfg(), slots=slots)
    with pytest.raises(ConfigError, match="g_optim.lr"):
        job.update(g_lr=-1.0)
    with pytest.raises(ConfigError, match="objective"):
        job.resume(objective="best")


def test_stop_ends_the_thread_and_frees_the_slot(slots):
    job = start_job(_cfg(), slots=slots)
    _wait(lambda: job.snapshot.step > 5)
    assert slots.in_use("cpu") == pytest.approx(job.slot_weight) and job.slot_weight > 0  # 1/16: it batches
    job.stop()
    step = job.trainer.step_count
    time.sleep(0.3)
    assert job.trainer.step_count == step and job.snapshot.state == "stopped"
    assert slots.in_use("cpu") == 0
    with pytest.raises(GanLabError, match="Train"):
        job.resume()


def test_finishes_after_its_steps(slots):
    job = start_job(_cfg(steps=60), slots=slots)
    _wait(lambda: not job.alive)
    assert job.state == "finished" and job.snapshot.step == 60 and len(job.snapshot.history) == 60
    assert job.frames and job.frames[-1][0] == 60  # the timelapse ends on the final state


def test_per_device_cap_says_busy(monkeypatch, slots):
    monkeypatch.setenv("GANLAB_MAX_JOBS_CPU", "1")
    monkeypatch.setenv("GANLAB_BATCHED", "0")  # runs at full weight (tests/test_classroom.py: the class budget)
    first = start_job(_cfg(), slots=slots)
    try:
        with pytest.raises(GanLabError, match="(?i)busy.*try again"):
            start_job(_cfg(), slots=slots)
    finally:
        first.stop()
    second = start_job(_cfg(), slots=slots)  # the slot came back
    second.stop()


def test_divergence_stops_cleanly_with_reason(slots):
    job = start_job(
        _cfg(g_optim=OptimizerConfig("sgd", 1.0, 0.5, 0.999), d_optim=OptimizerConfig("sgd", 1.0, 0.5, 0.999)),
        slots=slots,
    )
    _wait(lambda: not job.alive)
    snap = job.snapshot
    assert snap.state == "diverged" and "NaN" in snap.message
    assert [w.kind for w in snap.health][:1] == ["divergence"]
    assert np.isfinite(snap.samples).all()  # weights were rolled back to the last good step
    assert slots.in_use("cpu") == 0


def test_save_while_running_gives_a_resumable_checkpoint(tmp_path, slots):
    job = start_job(_cfg(), slots=slots)
    try:
        _wait(lambda: job.snapshot.step >= 30)
        folder = job.save(tmp_path / "run1")
    finally:
        job.stop()
    restored = restore_trainer(folder, device="cpu")
    assert 30 <= restored.step_count <= job.trainer.step_count


def test_loss_csv_has_a_row_per_step(slots):
    job = start_job(_cfg(steps=40), slots=slots)
    _wait(lambda: not job.alive)
    lines = job.loss_csv().strip().splitlines()
    assert lines[0].split(",") == list(HISTORY_COLUMNS)
    assert len(lines) == 41 and lines[-1].startswith("40,")


def test_image_job_snapshots_a_fixed_grid(slots):
    cfg = recommended_config("digits").updated(device="cpu", width=8, z_dim=8, batch_size=16, steps=6)
    job = start_job(cfg, slots=slots)
    first = job.snapshot.samples.clone()
    _wait(lambda: not job.alive)
    snap = job.snapshot
    assert snap.samples.shape == (64, 1, 16, 16) and snap.points is None
    assert not np.allclose(first.numpy(), snap.samples.numpy())  # same noise, trained G: new images


def test_race_runs_every_racer_on_one_clock_with_the_same_data_and_seed(slots):
    from ganlab.families.gan.race import Racer, run_race

    base = _cfg(steps=60, seed=5)
    racers = [
        Racer("ns", base),
        Racer("ls", base.updated(objective="lsgan", seed=99, dataset="grid25")),
        Racer(
            "hot",
            base.updated(
                g_optim=OptimizerConfig("sgd", 1.0, 0.5, 0.999), d_optim=OptimizerConfig("sgd", 1.0, 0.5, 0.999)
            ),
        ),
    ]
    snap = run_race(racers)
    assert snap.state == "finished" and snap.step == 60 and snap.names == ("ns", "ls", "hot")
    assert snap.dataset == "ring8"  # the second racer's data and seed were overridden
    assert [len(h) for h in snap.histories[:2]] == [60, 60]
    assert snap.diverged[2] and not any(snap.diverged[:2])  # the diverged racer dropped out alone
    rows = {row["racer"]: row for row in snap.table()}
    assert rows["hot"]["status"] == "diverged" and rows["ls"]["objective"] == "lsgan"
    assert rows["ns"]["modes"].endswith("/8")
