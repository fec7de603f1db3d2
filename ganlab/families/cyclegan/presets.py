"""CycleGAN sizes by where the run happens; every field can still be set by a flag or the form."""

from __future__ import annotations

from typing import Any

PRESETS: dict[str, dict[str, Any]] = {
    "paper": {},  # Zhu et al.: ngf 64, 9 blocks, 286 -> 256 crops, batch 1
    "gpu": dict(ngf=32, n_blocks=9, image_size=128, load_size=256, batch_size=16, steps=20_000),
    "cpu": dict(ngf=16, ndf=32, n_blocks=6, image_size=64, load_size=72, batch_size=1, steps=1500, max_images=300),
}
CPU_DEFAULTS = PRESETS["cpu"]  # what the Train CycleGAN tab starts from


def preset_for(device_type: str) -> str:
    """``gpu`` on CUDA, ``cpu`` elsewhere."""
    return "gpu" if device_type == "cuda" else "cpu"
