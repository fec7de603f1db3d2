"""Tiny restoration models trained in seconds on scikit-learn's digits, for the Restore tab's tests
(the shipped photo/MNIST models are not needed: nothing here depends on pretrained/)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
from PIL import Image

TINY = dict(dataset="digits", device="cpu", ngf=4, ndf=4, depth=2, n_blocks=1, batch_size=2, holdout=4)

# name in the zoo -> (model, task); the two x4 models are twins (same data, the names extend each other)
ZOO = {
    "digits-sr4": ("srgan", "sr4"),
    "digits-sr4-psnr": ("srresnet", "sr4"),
    "digits-inpaint": ("pix2pix", "inpaint"),
    "digits-denoise": ("pix2pix", "denoise"),
}


def train_tiny(folder: Path, model: str, task: str, steps: int = 2) -> Path:
    from ganlab.families.restore.config import RestoreConfig
    from ganlab.families.restore.state import save_restore
    from ganlab.families.restore.trainer import RestoreTrainer

    trainer = RestoreTrainer(RestoreConfig(model=model, task=task, steps=steps, **TINY))
    trainer.run(steps)
    return save_restore(trainer, folder, metrics=trainer.validate())  # held-out scores, as the CLI saves


def make_zoo(root: Path) -> Path:
    """A pretrained/-like folder holding the four tiny models of ``ZOO``."""
    for name, (model, task) in ZOO.items():
        train_tiny(root / name, model, task)
    return root


def digit_png(path: Path, size: tuple[int, int] = (28, 28), seed: int = 0) -> Path:
    """A gray picture with structure (a bright bar on noise), saved as PNG."""
    rng = np.random.default_rng(seed)
    array = rng.integers(0, 60, size[::-1], dtype=np.uint8)
    array[size[1] // 4 : 3 * size[1] // 4, size[0] // 2 - 2 : size[0] // 2 + 2] = 230
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array, "L").save(path)
    return path


def mask_png(path: Path, size: tuple[int, int], box: tuple[int, int, int, int] | None) -> Path:
    """A white-is-hole mask: ``box`` (left, top, right, bottom) white on black; all black when None."""
    array = np.zeros(size[::-1], dtype=np.uint8)
    if box:
        array[box[1] : box[3], box[0] : box[2]] = 255
    Image.fromarray(array, "L").save(path)
    return path
