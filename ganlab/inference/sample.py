"""Draw samples from a generator and write them out: PNG folders, point CSVs.

Shared by ``python -m ganlab sample``, ``train``'s ``samples.png`` and the
metrics, so every front end samples the same way (same seed -> same images).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import torch
from torch import Tensor, nn

from ganlab.engine.checkpoints import atomic_write_bytes
from ganlab.errors import GanLabError
from ganlab.inference.protocol import LatentGenerator, as_generator, sample_latents
from ganlab.render.images import png_bytes, to_hwc, to_pil


def labels_for(
    g: "LatentGenerator | nn.Module", n: int, label: int | None, device: torch.device | None = None
) -> Tensor | None:
    """Class labels for a conditional G: one class, or all classes in equal shares (on ``device``,
    the CPU by default)."""
    classes = as_generator(g).latent.num_classes
    if not classes:
        if label is not None:
            raise GanLabError("--label: this generator is not class-conditional")
        return None
    if label is not None:
        if not 0 <= label < classes:
            raise GanLabError(f"--label: must be in [0, {classes - 1}]; got {label}")
        return torch.full((n,), label, dtype=torch.long, device=device)
    return torch.arange(n, device=device) % classes


@torch.no_grad()
def generate(
    g: "LatentGenerator | nn.Module",
    n: int,
    seed: int = 0,
    label: int | None = None,
    noise: str = "normal",
    batch: int = 500,
    truncation: float = 1.0,
) -> Tensor:
    """``n`` samples on the CPU (float32): images in [-1, 1] or 2D points.

    ``truncation`` < 1 pulls the latents toward the centre (z toward 0, or w toward its mean
    for a style generator), trading variety for fidelity. ``g`` is a LatentGenerator, or a
    family's generator module (``noise`` then names its prior).
    """
    if n < 1:
        raise GanLabError(f"--n: must be at least 1; got {n}")
    gen = as_generator(g, noise)
    latents = sample_latents(gen, seed, n, psi=truncation, labels=labels_for(gen, n, label))
    return torch.cat([gen.synthesize(latents.take(i, i + batch)) for i in range(0, n, batch)])


def save_image_folder(images: Tensor, folder: str | Path) -> list[Path]:
    """One PNG per image: ``00000.png``, ``00001.png``, ... (each written atomically)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(images) - 1)))
    paths = []
    for index, array in enumerate(to_hwc(images)):
        path = folder / f"{index:0{width}d}.png"
        atomic_write_bytes(path, png_bytes(to_pil(array)))  # never a half-written PNG
        paths.append(path)
    return paths


def save_points_csv(points: Tensor, path: str | Path) -> Path:
    """Points to a CSV with header ``x,y`` (``x`` alone for 1D points; written atomically)."""
    if points.dim() != 2 or points.shape[1] not in (1, 2):
        raise GanLabError(f"points must be (N, 1) or (N, 2) to write as CSV; got {tuple(points.shape)}")
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["x", "y"][: points.shape[1]])
    writer.writerows([f"{v:.6g}" for v in row] for row in points.tolist())
    atomic_write_bytes(Path(path), buffer.getvalue().encode())
    return Path(path)
