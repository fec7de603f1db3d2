"""Recommended training settings per data set: what ``train`` uses when no --steps is given.

Toy presets are tuned with ``benchmarks/toy2d.py`` to reach the VEEGAN/PacGAN
mode-coverage targets within a minute on two CPU cores; image presets give
recognisable samples fast on a CPU and well on a GPU.
"""

from __future__ import annotations

from typing import Any

from ganlab.families.gan.config import OptimizerConfig, TrainConfig
from ganlab.data import canonical_name, is_points_dataset

_TOY_DEFAULT: dict[str, Any] = dict(
    model="mlp",
    width=128,
    depth=3,
    objective="nonsaturating",
    z_dim=2,
    batch_size=256,
    steps=3000,
    g_optim=OptimizerConfig("adam", 1e-3, 0.5, 0.999),
    d_optim=OptimizerConfig("adam", 1e-3, 0.5, 0.999),
    snapshot_every=50,
)

# MNIST and Fashion-MNIST: one 28 px gray DCGAN preset (recognisable samples in minutes on a CPU)
_GRAY_28: dict[str, Any] = dict(
    model="dcgan",
    width=64,
    objective="nonsaturating",
    z_dim=64,
    batch_size=128,
    steps=6000,
    ema=0.999,
    snapshot_every=200,
)

# Measured with benchmarks/toy2d.py (5 seeds, 2 pinned cores): see README "Benchmarks".
PRESETS: dict[str, dict[str, Any]] = {
    # A small R1 penalty keeps every seed on every mode (without it: ring 7.8/8, grid 23.6/25
    # on 5 seeds); applied lazily every 8th step (scaled x8, as in StyleGAN2) it costs ~4 %.
    # The ring's modes are 5x tighter (sigma 0.01): R1 0.01 gives 97.1 % HQ there, 0.05 96.9 %.
    "ring8": dict(_TOY_DEFAULT, steps=12000, lr_decay="linear", r1_weight=0.01, r1_every=8),
    # The grid needs a wider G and D to hold >= 94 % HQ on every seed, not just on average
    # (toy2d.py, seeds 0-9): width 128 ends at 92.6-96.1 %, depth 4 at 94.0-97.2 % (seeds 0-4),
    # width 192 at 93.6-96.9 % (seeds 0-7), width 256 at 95.2-97.2 % (about 2.7x the time of width 128).
    "grid25": dict(_TOY_DEFAULT, width=256, steps=12000, lr_decay="linear", r1_weight=0.05, r1_every=8),
    "digits": dict(
        model="dcgan",
        width=32,
        objective="nonsaturating",
        z_dim=32,
        batch_size=64,
        steps=1500,
        image_size=16,
        snapshot_every=25,
    ),
    # R1 in a D without batch norm, as the shipped mnist is trained (#17). At this preset's 6,000
    # steps, eval on 10,000 samples, seeds 0 / 1 (README "Benchmarks"): FD 5.84 -> 4.34 / 6.06 -> 5.06,
    # KID 0.174 -> 0.126 / 0.211 -> 0.172, 10/10 classes on both seeds (9/10 before), ~1-8 % more time.
    "mnist": dict(_GRAY_28, d_norm="none", r1_weight=1.0, r1_every=8),
    # The same change loses on clothes at this scale (seed 0, README "Benchmarks"): FD 3.00 -> 4.73,
    # KID 0.060 -> 0.116, recall 0.67 -> 0.54; fashion keeps batch norm in D.
    "fashion": dict(_GRAY_28),
    "cifar10": dict(
        model="dcgan",
        width=64,
        objective="hinge",
        spectral_norm=True,
        norm="none",
        z_dim=128,
        batch_size=128,
        steps=20000,
        ema=0.999,
        snapshot_every=500,
    ),
}
# 1D sets: G matches p_data visibly in 4,000 steps (~30 s on 1 CPU thread; bimodal1d seed 2:
# 28.6 s, 2/2 modes); the linear decay calms the last oscillations. Total variation between p_data
# and the probe's KDE of G at the end (seeds 0/1; the KDE of real samples scores 0.02-0.04):
# bimodal1d 0.13/0.13 at 3,000 steps, 0.12/0.11 at 4,000 with lr 5e-4; gauss1d 0.07; uniform1d
# 0.16 (a ReLU G piles mass at the hard edges).
_ONE_D = dict(_TOY_DEFAULT, steps=4000, lr_decay="linear", snapshot_every=25)
PRESETS.update({name: dict(_ONE_D) for name in ("gauss1d", "bimodal1d", "uniform1d")})
_POINTS_DEFAULT = dict(_TOY_DEFAULT, steps=2000)
_IMAGES_DEFAULT = dict(
    model="dcgan",
    width=32,
    objective="nonsaturating",
    z_dim=64,
    batch_size=64,
    steps=2000,
    image_size=32,
    snapshot_every=50,
)


def recommended(dataset: str) -> dict[str, Any]:
    """The preset's fields for a data set (a copy; unknown user sets get a generic one)."""
    name = canonical_name(dataset)
    if name in PRESETS:
        base = PRESETS[name]
    else:
        base = _POINTS_DEFAULT if is_points_dataset(name) else _IMAGES_DEFAULT
    return {k: (OptimizerConfig(**vars(v)) if isinstance(v, OptimizerConfig) else v) for k, v in base.items()}


def recommended_config(dataset: str, **overrides: Any) -> TrainConfig:
    """A TrainConfig for ``dataset`` with the preset applied, then ``overrides``."""
    fields = recommended(dataset)
    fields.update(overrides)
    return TrainConfig(dataset=dataset, **fields)
