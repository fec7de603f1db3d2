"""The background CycleGAN run the app's tab watches: snapshots grow, stop frees the device,
the cap says busy, and save writes the run plus both directions (no gradio)."""

from __future__ import annotations

import time

import numpy as np
import pytest

from cyclegan_fixtures import make_domains
from ganlab.families.cyclegan.io import load_translator
from ganlab.data.unpaired import load_unpaired
from ganlab.errors import GanLabError
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families import FAMILIES
from ganlab.families.cyclegan.job import HISTORY_COLUMNS, CycleGANJob

start_cyclegan_job = FAMILIES["cyclegan"].start  # the registry is how the app starts a run
from ganlab.engine.background import DeviceSlots


@pytest.fixture(scope="module")
def setup(tmp_path_factory):
    a, b = make_domains(tmp_path_factory.mktemp("domains"), n=6)
    cfg = CycleGANConfig(
        dataset=f"unpaired:{a},{b}",
        image_size=32,
        load_size=36,
        ngf=4,
        ndf=4,
        n_blocks=1,
        pool_size=4,
        steps=100_000,
        device="cpu",
    )
    return cfg, load_unpaired(cfg.dataset, None, 36, 32)


def _until(job, predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate(job.snapshot):
        assert time.monotonic() < deadline, f"timed out at {job.snapshot.as_dict()}"
        time.sleep(0.05)
    return job.snapshot


def test_runs_publishes_and_stops(setup):
    cfg, data = setup
    slots = DeviceSlots()
    job = start_cyclegan_job(cfg, data, slots=slots)
    try:
        first = job.snapshot
        assert first.triplets is not None and first.domains == ("warm days", "cold days")
        later = _until(job, lambda s: s.step >= 5)
        assert later.version > first.version and later.history.shape[1] == len(HISTORY_COLUMNS)
        assert np.array_equal(later.history[:, 0], np.arange(1, later.step + 1))
        assert np.isfinite(later.history).all()
        assert slots.in_use("cpu") == 1
    finally:
        job.stop()
    assert not job.alive and job.snapshot.state == "stopped" and slots.in_use("cpu") == 0
    steps = job.snapshot.step
    time.sleep(0.3)
    assert job.trainer.step_count == steps


def test_cap_says_busy(setup, monkeypatch):
    cfg, data = setup
    monkeypatch.setenv("GANLAB_MAX_JOBS_CPU", "1")
    slots = DeviceSlots()
    job = start_cyclegan_job(cfg, data, slots=slots)
    try:
        with pytest.raises(GanLabError, match="busy"):
            CycleGANJob(cfg, data, slots=slots)
    finally:
        job.stop()


def test_save_writes_the_run_and_both_directions(setup, tmp_path):
    cfg, data = setup
    job = CycleGANJob(cfg, data, slots=DeviceSlots())
    with pytest.raises(GanLabError, match="nothing to save"):
        job.save(tmp_path / "early")
    job.step(3)
    _until(job, lambda s: s.step >= 3)
    job.stop()
    run, ab, ba = job.save(tmp_path / "mine")
    assert (run.name, ab.name, ba.name) == ("mine", "mine-warm-days2cold-days", "mine-cold-days2warm-days")
    forward = load_translator(ab)
    assert forward.backward is not None  # found its inverse beside it: round trips work
