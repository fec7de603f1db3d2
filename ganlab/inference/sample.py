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
from ganlab.families.gan.trainer import make_noise
from ganlab.render.images import image_grid, png_bytes, to_hwc, to_pil
from ganlab.render.points import clouds_image

# ganlab.cli.train imports these three from here; they are render's (one implementation each)
points_image = clouds_image
__all__ = ["generate", "labels_for", "save_image_folder", "save_points_csv", "image_grid", "png_bytes",
           "points_image"]


def labels_for(g: nn.Module, n: int, label: int | None, device: torch.device) -> Tensor | None:
    """Class labels for a conditional G: one class, or all classes in equal shares."""
    classes = getattr(g, "num_classes", 0)
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
def generate(g: nn.Module, n: int, seed: int = 0, label: int | None = None, noise: str = "normal",
             batch: int = 500, truncation: float = 1.0) -> Tensor:
    """``n`` samples on the CPU (float32): images in [-1, 1] or 2D points.

    ``truncation`` < 1 scales the latent codes toward their mean (0), trading
    variety for fidelity.
    """
    if n < 1:
        raise GanLabError(f"--n: must be at least 1; got {n}")
    device = next(g.parameters()).device
    gen = torch.Generator(device).manual_seed(seed)
    z = make_noise(noise, n, g.z_dim, gen) * truncation
    labels = labels_for(g, n, label, device)
    parts = [g(z[i:i + batch], None if labels is None else labels[i:i + batch]).float().cpu()
             for i in range(0, n, batch)]
    return torch.cat(parts)


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
    """Points to a CSV with header ``x,y`` (written atomically)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(["x", "y"])
    writer.writerows([f"{x:.6g}", f"{y:.6g}"] for x, y in points.tolist())
    atomic_write_bytes(Path(path), buffer.getvalue().encode())
    return Path(path)
