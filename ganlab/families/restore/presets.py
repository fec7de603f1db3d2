"""Restoration sizes per data set (CPU-sized); every field can still be set by a flag."""

from __future__ import annotations

from typing import Any

from ganlab.data.named import is_unpaired

PRESETS: dict[str, dict[str, Any]] = {
    "digits": dict(batch_size=32, steps=2000, lr=5e-4, ngf=16, depth=3, holdout=64),
    "mnist": dict(batch_size=32, steps=3000, lr=5e-4, ngf=16, depth=3, holdout=256, max_images=20_000),
    "fashion": dict(batch_size=32, steps=3000, lr=5e-4, ngf=16, depth=3, holdout=256, max_images=20_000),
    "photos": dict(
        batch_size=4, steps=3000, lr=2e-4, ngf=32, n_blocks=6, image_size=96, load_size=256, n_layers_d=3, holdout=32
    ),
}


def preset_for(dataset: str) -> str | None:
    """The preset a data set starts from (None: the config's own defaults)."""
    if is_unpaired(dataset):
        return "photos"
    from ganlab.data import canonical_name

    name = canonical_name(dataset)
    return name if name in PRESETS else None
