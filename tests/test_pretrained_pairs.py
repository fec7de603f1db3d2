"""The shipped trained 2D pairs: one full checkpoint per 2D set, and a live run that starts from one
is converged before its first step, keeps the user's training knobs and trains on."""

from __future__ import annotations

import json

import pytest
import torch

from ganlab.errors import GanLabError
from ganlab.families.gan import pretrained
from ganlab.families.gan.job import TrainingJob
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.state import restore_trainer
from ganlab.paths import pretrained_dir

PAIRS = pretrained.two_d_sets()


def test_the_data_list_has_2d_sets_and_every_one_has_a_shipped_pair():
    assert {"ring8", "grid25", "moons"} <= set(PAIRS)
    assert pretrained.shipped_pairs() == PAIRS


@pytest.mark.parametrize("name", PAIRS)
def test_each_pair_is_a_full_resumable_checkpoint_with_a_model_card(name):
    folder = pretrained.pretrained_pair(name)
    assert folder == pretrained_dir() / f"2d-{name}"
    trainer = restore_trainer(folder, device="cpu")  # G, D, both optimizers and the RNG
    meta = json.loads((folder / "model.json").read_text())
    assert meta["trained_pair"] and meta["dataset"]["name"] == name and meta["discriminator"]
    assert meta["recipe"] == f"python scripts/train_zoo.py 2d-{name}" and meta["card"]
    assert meta["metrics"]["train"]["steps"] == trainer.step_count > 0
    assert trainer.optimizers["g"].state and trainer.optimizers["d"].state  # Adam moments came back
    if trainer.data.modes is not None:  # the sets with modes: every one covered
        cov = meta["metrics"]["eval"]["mode_coverage"]
        assert cov["modes_captured"] == cov["modes_total"] == len(trainer.data.modes)
    trainer.run(2)  # and it trains on


def test_a_run_from_the_ring8_pair_is_converged_at_step_0_and_keeps_the_users_knobs():
    cfg = recommended_config("ring8", device="cpu", width=32, depth=2, objective="lsgan").updated(g_lr=5e-4)
    fresh = TrainingJob(cfg)
    job = TrainingJob(cfg, from_pretrained=True)
    try:
        snap = job.snapshot
        assert snap.step == 0 and job.pair == pretrained_dir() / "2d-ring8"
        assert snap.coverage.modes_captured == 8 and snap.coverage.high_quality > 0.8
        assert fresh.snapshot.coverage.high_quality < 0.2  # what the same config shows without the pair
        assert (job.cfg.width, job.cfg.depth) == (128, 3)  # the pair's architecture...
        assert job.cfg.objective == "lsgan" and job.cfg.g_optim.lr == 5e-4  # ...the user's knobs
        assert job.trainer.opt_g.param_groups[0]["lr"] == 5e-4
        moments = next(iter(job.trainer.opt_d.state.values()))["exp_avg_sq"]
        assert moments.abs().sum() > 0  # D's Adam moments are the pair's, not zeros
        before = [p.detach().clone() for p in job.trainer.G.parameters()]
        job.record(job.trainer.run(3))
        assert job.make_snapshot().step == 3  # it trains on from the pair
        assert any(not torch.equal(a, b) for a, b in zip(before, job.trainer.G.parameters()))
    finally:
        job.close()
        fresh.close()


def test_sgd_after_the_pairs_adam_starts_without_its_moments():
    cfg = recommended_config("moons", device="cpu")
    cfg.g_optim.name = cfg.d_optim.name = "sgd"
    job = TrainingJob(cfg, from_pretrained=True)
    try:
        job.record(job.trainer.run(1))
        assert job.make_snapshot().step == 1
    finally:
        job.close()


@pytest.mark.parametrize(
    "dataset, message",
    [
        ("digits", "trained pairs are shipped for the 2D sets: ring8, grid25"),
        ("csv:/tmp/points.csv", "no trained pair is shipped for 'csv:/tmp/points.csv'; the sets that have one: ring8"),
    ],
)
def test_a_set_without_a_pair_gets_a_message_naming_those_with_one(dataset, message):
    with pytest.raises(GanLabError, match=message.replace("(", r"\(")):
        pretrained.require_pair(dataset)


def test_an_empty_zoo_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_PRETRAINED", str(tmp_path))
    assert pretrained.pretrained_pair("ring8") is None
    with pytest.raises(GanLabError, match="no trained pair is shipped for 'ring8'; the sets that have one: none"):
        TrainingJob(recommended_config("ring8", device="cpu"), from_pretrained=True)
