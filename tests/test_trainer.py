"""The Trainer: reproducible, learns the ring, stops cleanly on NaN, uses the device asked for."""

import pytest
import torch

from ganlab.families.gan.config import TrainConfig
from ganlab.errors import TrainingDiverged
from ganlab.metrics import mode_coverage
from ganlab.families.gan.presets import recommended_config
from ganlab.inference.sample import generate
from ganlab.families.gan.trainer import Trainer
from ganlab.nn.losses import OBJECTIVES  # the registry: a new objective is tested without editing here


@pytest.mark.parametrize("objective", list(OBJECTIVES))
def test_same_seed_same_numbers_on_cpu(objective):
    cfg = TrainConfig(dataset="ring8", objective=objective, width=32, batch_size=32, seed=3, device="cpu")
    a = [s.as_dict() for s in Trainer(cfg).run(5)]
    b = [s.as_dict() for s in Trainer(cfg).run(5)]
    for x, y in zip(a, b):
        x.pop("seconds"), y.pop("seconds")
    assert a == b
    c = [s.d_loss for s in Trainer(cfg.updated(seed=4)).run(5)]
    assert c != [s["d_loss"] for s in a]


def test_step_returns_plain_numbers_that_make_sense():
    trainer = Trainer(TrainConfig(dataset="ring8", objective="nonsaturating"))
    stats = trainer.step()
    assert stats.step == 1 and trainer.step_count == 1
    assert all(isinstance(v, float) for k, v in stats.as_dict().items() if k not in ("step", "wasserstein"))
    assert 0 < stats.d_real < 1 and 0 < stats.d_fake < 1  # probabilities for BCE objectives
    assert stats.wasserstein is None
    wgan = Trainer(TrainConfig(dataset="ring8", objective="wgan-gp")).step()
    assert wgan.wasserstein == pytest.approx(wgan.d_real - wgan.d_fake, abs=1e-5)
    assert wgan.penalty > 0
    assert wgan.d_loss == pytest.approx(-wgan.wasserstein, abs=1e-5)  # the critic loss; GP is `penalty`


@pytest.mark.slow
def test_a_short_ring_run_captures_most_modes():
    cfg = recommended_config("ring8", steps=1500, seed=0, device="cpu")
    trainer = Trainer(cfg)
    trainer.run(cfg.steps)
    points = generate(trainer.inference_generator.eval(), 2500, seed=1)
    cov = mode_coverage(points, trainer.data.modes, trainer.data.sigma)
    assert cov.modes_captured >= 6, cov


def test_divergence_stops_with_a_reason_and_keeps_the_last_good_weights(monkeypatch):
    trainer = Trainer(TrainConfig(dataset="ring8", width=16))
    trainer.run(3)
    good = {k: v.clone() for k, v in trainer.G.state_dict().items()}
    real_loss = trainer.objective.d_loss
    poisoned = trainer.objective.__class__(
        **{**trainer.objective.__dict__, "d_loss": lambda r, f: real_loss(r, f) * float("nan")}
    )
    trainer.objective = poisoned
    with pytest.raises(TrainingDiverged, match="step 4"):
        trainer.run(2)
    assert trainer.step_count == 3
    for key, value in trainer.G.state_dict().items():
        assert torch.equal(value, good[key])
    assert all(torch.isfinite(p).all() for p in trainer.D.parameters())
    with pytest.raises(TrainingDiverged):
        trainer.run(1)  # a stopped run stays stopped


def _update(trainer: Trainer, net: str) -> torch.Tensor:
    """How far one training step moves ``net``'s ("G" or "D") parameters, flattened."""
    module = getattr(trainer, net)
    before = torch.cat([p.detach().flatten().clone() for p in module.parameters()])
    trainer.step()
    return torch.cat([p.detach().flatten() for p in module.parameters()]) - before


@pytest.mark.parametrize("net, change", [("G", {"g_lr": 4e-4}), ("D", {"d_lr": 5e-5})])
def test_learning_rate_changes_apply_to_the_next_step(net, change):
    """Twin runs, one with the new rate set mid-run while the linear decay is under way: Adam's
    next step has the same direction in both, so its size must scale by exactly new / old."""
    cfg = TrainConfig(dataset="ring8", width=16, steps=10, lr_decay="linear", device="cpu")
    same, edited = Trainer(cfg), Trainer(cfg)
    same.run(6), edited.run(6)  # past half-way: the schedule scales the rate by 0.8 now
    edited.set_learning_rates(**change)
    old = (cfg.g_optim if net == "G" else cfg.d_optim).lr
    ratio = _update(edited, net).norm() / _update(same, net).norm()
    assert float(ratio) == pytest.approx(next(iter(change.values())) / old, rel=1e-3)


def test_linear_decay_reaches_zero_at_the_end():
    trainer = Trainer(TrainConfig(dataset="ring8", width=16, steps=10, lr_decay="linear"))
    assert trainer.lr_factor(0) == 1.0 and trainer.lr_factor(5) == 1.0
    assert trainer.lr_factor(10) == 0.0


def test_lazy_r1_applies_every_kth_step_scaled_by_k():
    cfg = TrainConfig(dataset="ring8", width=16, batch_size=32, r1_weight=0.5, device="cpu")
    every = [s.penalty for s in Trainer(cfg).run(6)]
    lazy = [s.penalty for s in Trainer(cfg.updated(r1_every=3)).run(6)]
    assert all(p > 0 for p in every)
    assert lazy[1] == lazy[2] == lazy[4] == lazy[5] == 0.0
    # same seed, same first step: the lazy penalty is the full one times k
    assert lazy[0] == pytest.approx(3 * every[0], rel=1e-5)
    assert lazy[3] > 0


@pytest.mark.parametrize(
    "kwargs",
    [
        dict(dataset="digits", width=8, conditional=True, conditioning="projection"),
        dict(dataset="digits", width=8, conditional=True, conditioning="concat", spectral_norm=True, norm="none"),
        dict(dataset="digits", width=8, norm="instance", ema=0.9, objective="wgan-gp", r1_weight=1.0),
    ],
)
def test_image_variants_train_and_sample(kwargs):
    trainer = Trainer(TrainConfig(batch_size=8, z_dim=8, **kwargs))
    trainer.run(2)
    grid = trainer.sample_fixed()
    assert grid.shape == (64, 1, 16, 16) and grid.abs().max() <= 1


def test_model_lives_on_the_requested_device():
    trainer = Trainer(TrainConfig(dataset="ring8", device="cpu"))
    assert {p.device.type for p in trainer.G.parameters()} == {"cpu"}


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_training_on_the_last_gpu_really_runs_there():
    index = torch.cuda.device_count() - 1
    trainer = Trainer(TrainConfig(dataset="digits", width=8, device=f"cuda:{index}"))
    trainer.run(3)
    assert {p.device for p in trainer.G.parameters()} == {torch.device(f"cuda:{index}")}
    assert trainer.data.data.device == torch.device(f"cuda:{index}")
