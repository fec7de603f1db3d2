"""Tiny unpaired image folders and CycleGAN checkpoints for the CycleGAN and Style-tab tests."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganlab.data.unpaired import load_unpaired
from ganlab.families.cyclegan.models import ResnetGenerator
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.state import export_direction
from ganlab.families.cyclegan.trainer import CycleGANTrainer


def make_domains(root: Path, n: int = 12, size: int = 40) -> tuple[Path, Path]:
    """Folder "warm days" (reddish scenes) and "cold days" (bluish, bright); names have spaces."""
    rng = np.random.default_rng(0)
    a, b = root / "warm days", root / "cold days"
    for folder, base in ((a, (170, 110, 60)), (b, (150, 180, 230))):
        folder.mkdir(parents=True, exist_ok=True)
        for i in range(n):
            y = np.linspace(0, 1, size)[:, None, None]
            img = np.array(base, np.float32) * (0.6 + 0.4 * y) + rng.normal(0, 12, (size, size, 3))
            cx, cy, r = rng.integers(8, size - 8, 2).tolist() + [int(rng.integers(3, 8))]
            img[cy - r : cy + r, cx - r : cx + r] *= 0.5  # a dark "rock" somewhere
            Image.fromarray(img.clip(0, 255).astype(np.uint8)).save(folder / f"photo {i:02d}.png")
    return a, b


def tiny_trainer(root: Path, steps: int = 0, **changes) -> CycleGANTrainer:
    a, b = make_domains(root)
    fields = dict(
        image_size=32,
        load_size=36,
        ngf=8,
        ndf=8,
        n_blocks=2,
        batch_size=4,
        steps=max(steps, 1),
        pool_size=8,
        device="cpu",
    )
    cfg = CycleGANConfig(dataset=f"unpaired:{a},{b}", **{**fields, **changes})
    trainer = CycleGANTrainer(cfg, load_unpaired(cfg.dataset, None, 36, 32))
    if steps:
        trainer.run(steps)
    return trainer


def export_pair(trainer: CycleGANTrainer, zoo: Path, ab: str = "warm2cold", ba: str = "cold2warm") -> None:
    export_direction(trainer, zoo / ab, "AtoB", inverse=ba)
    export_direction(trainer, zoo / ba, "BtoA", inverse=ab)


def official_state(ngf: int = 8, n_blocks: int = 6, seed: int = 0) -> tuple[ResnetGenerator, dict]:
    """A generator and its state dict as the official release's old files store it: with the
    InstanceNorm running buffers (running_mean / running_var / num_batches_tracked)."""
    torch.manual_seed(seed)
    g = ResnetGenerator(ngf=ngf, n_blocks=n_blocks).eval()
    state = dict(g.state_dict())
    for name, module in g.named_modules():
        if isinstance(module, torch.nn.InstanceNorm2d):
            state[f"{name}.running_mean"] = torch.zeros(module.num_features)
            state[f"{name}.running_var"] = torch.ones(module.num_features)
            state[f"{name}.num_batches_tracked"] = torch.tensor(0)
    return g, state


def sample_photo() -> Image.Image:
    """A real photo that ships with scikit-learn (china.jpg, 640x427)."""
    from sklearn.datasets import load_sample_image

    return Image.fromarray(load_sample_image("china.jpg"))
