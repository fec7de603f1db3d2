"""Recommended StyleGAN settings per data set: small enough that samples grow visibly within
minutes on a CPU (a 16 px digit G at width 16 trains at several steps a second on one core)."""

from __future__ import annotations

from typing import Any

from ganlab.data import canonical_name
from ganlab.families.gan.config import OptimizerConfig
from ganlab.families.stylegan.config import StyleGANConfig

_ADAM = OptimizerConfig("adam", 2e-3, 0.0, 0.99)  # StyleGAN2's betas and learning rate

PRESETS: dict[str, dict[str, Any]] = {
    # Tuned with benchmarks/stylegan_presets.py (1,500 steps, seed 0, eval on 5,000 samples; FD / KID /
    # recall / classes): preset 10.1 / 0.28 / 0.81 / 9; EMA 0.999 56.9 / 8.2 / 0.20 / 5 (in 1,500 steps a
    # 0.999 average still holds the first, untrained weights); no style mixing 9.7 / 0.39 / 0.75 / 9;
    # lr 1e-3 16.3 / 0.63 / 0.64 / 8; lr decay 12.3 / 0.34 / 0.63 / 9. The preset wins or ties on each.
    "digits": dict(
        image_size=16, channels=16, z_dim=32, w_dim=32, batch_size=32, steps=1500, snapshot_every=25, ema=0.99
    ),
    "mnist": dict(channels=16, z_dim=64, w_dim=64, batch_size=32, steps=4000, snapshot_every=50),
    "fashion": dict(channels=16, z_dim=64, w_dim=64, batch_size=32, steps=4000, snapshot_every=50),
}
_IMAGES_DEFAULT = dict(image_size=32, channels=16, z_dim=64, w_dim=64, batch_size=32, steps=3000, snapshot_every=50)


def recommended(dataset: str) -> dict[str, Any]:
    """The preset's fields for a data set (a copy, with its own optimizer configs)."""
    fields = dict(PRESETS.get(canonical_name(dataset), _IMAGES_DEFAULT))
    fields.update(g_optim=OptimizerConfig(**vars(_ADAM)), d_optim=OptimizerConfig(**vars(_ADAM)))
    return fields


def recommended_config(dataset: str, **overrides: Any) -> StyleGANConfig:
    """A StyleGANConfig for ``dataset`` with the preset applied, then ``overrides``."""
    fields = recommended(dataset)
    fields.update(overrides)
    return StyleGANConfig(dataset=dataset, **fields)
