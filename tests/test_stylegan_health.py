"""StyleGAN's own health signals (mapping collapse, loud noise) and its learning-rate schedule."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest
import torch

from ganlab.cli import main
from ganlab.engine.background import DeviceSlots
from ganlab.engine.optim import lr_decay_factor
from ganlab.families import FAMILIES
from ganlab.families.gan.health import HealthInput
from ganlab.families.gan.trainer import HISTORY_COLUMNS
from ganlab.families.stylegan import health
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.trainer import StyleGANTrainer
from ganlab.ui.views import status_dict, status_markdown
from style_fixtures import TINY, TINY_FLAGS

NO_HISTORY = np.zeros((0, len(HISTORY_COLUMNS)))


def inputs(**extra) -> HealthInput:
    return HealthInput(history=NO_HISTORY, probabilities=True, extra=extra)


def test_w_spread_is_zero_for_one_w_and_about_one_for_independent_ws():
    torch.manual_seed(0)
    assert health.w_spread(torch.ones(64, 16) * 3.0) < 1e-6
    assert 0.9 < health.w_spread(torch.randn(4096, 16) * 5 + 1) < 1.0  # std / rms, whatever the scale


def test_mapping_collapse_fires_only_when_the_spread_falls_to_a_sliver_after_warm_up():
    falling = ((100, 0.8), (300, 0.4), (600, 0.05))
    warning = health.mapping_collapse(inputs(w_spread=falling))
    assert warning is not None and warning.kind == "mapping-collapse" and "0.050" in warning.message
    assert health.mapping_collapse(inputs(w_spread=((100, 0.8), (150, 0.05)))) is None  # still warming up
    assert health.mapping_collapse(inputs(w_spread=((100, 0.8), (600, 0.5)))) is None  # healthy
    assert health.mapping_collapse(inputs(w_spread=((300, 0.06), (600, 0.05)))) is None  # never had spread
    assert health.mapping_collapse(inputs()) is None


def test_loud_noise_names_the_layer_whose_noise_outgrew_its_features():
    warning = health.noise_overpowers(inputs(noise=((400, 3, 2.4),)))
    assert warning is not None and "layer 3" in warning.message and "2.40" in warning.message
    assert health.noise_overpowers(inputs(noise=((400, 3, 0.7),))) is None
    assert health.noise_overpowers(inputs(noise=((100, 3, 2.4),))) is None


def wait_finished(job, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while job.state == "running" and time.monotonic() < deadline:
        time.sleep(0.05)
    assert job.state == "finished", job.message


def test_a_live_style_run_reports_its_signals_and_warns_when_the_mapping_collapses():
    job = FAMILIES["stylegan"].start(StyleGANConfig(**{**TINY, "steps": 210}), slots=DeviceSlots())
    try:
        wait_finished(job)
        snap = job.make_snapshot()
        assert snap.signals["w_spread"] > health.COLLAPSED_SPREAD  # a live mapping spreads its w's
        assert "w spread" in status_markdown(snap) and status_dict(snap)["signals"]["w_spread"] > 0
        assert not {"mapping-collapse", "loud-noise"} & {w.kind for w in snap.health}
        with torch.no_grad():  # break the run as a runaway step would: one w for every z, loud noise
            job.trainer.G.mapping.net[-1].weight.zero_()
            job.trainer.G.synthesis.layers[2].noise.strength.fill_(3.0)
        kinds = {w.kind for w in job.make_snapshot().health}
        assert {"mapping-collapse", "loud-noise"} <= kinds
    finally:
        job.close()


def test_a_gan_run_has_no_style_signals():
    from ganlab.families.gan.config import TrainConfig

    job = FAMILIES["gan"].start(TrainConfig(dataset="ring8", width=16, steps=5, device="cpu"), slots=DeviceSlots())
    try:
        wait_finished(job)
        snap = job.make_snapshot()
        assert snap.signals == {} and "signals" not in status_dict(snap) and "w spread" not in status_markdown(snap)
    finally:
        job.close()


def test_linear_decay_holds_the_rate_for_half_the_run_then_falls_to_zero():
    assert [lr_decay_factor("linear", s, 10) for s in (0, 5, 8, 10)] == pytest.approx([1.0, 1.0, 0.4, 0.0])
    assert lr_decay_factor("none", 9, 10) == 1.0
    trainer = StyleGANTrainer(StyleGANConfig(**{**TINY, "steps": 10, "lr_decay": "linear"}))
    trainer.run(10)
    base = trainer.cfg.g_optim.lr
    assert trainer.opt_g.param_groups[0]["lr"] == pytest.approx(base * lr_decay_factor("linear", 9, 10))


def test_resume_can_give_the_rest_of_a_run_a_schedule(tmp_path):
    out = tmp_path / "run"
    flags = ["--dataset", "digits", "--model", "stylegan", *TINY_FLAGS, "--out", str(out)]
    assert main(["train", *flags, "--steps", "4"]) == 0
    assert main(["train", *flags, "--resume", "--steps", "8", "--lr-decay", "linear"]) == 0
    meta = json.loads((out / "model.json").read_text())
    assert meta["step"] == 8 and meta["config"]["lr_decay"] == "linear" and meta["config"]["steps"] == 8
    assert meta["optimizers"]["g"]["param_groups"][0]["lr"] < meta["config"]["g_optim"]["lr"]
