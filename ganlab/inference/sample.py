"""Draw samples from a generator and write them out: PNG folders, point CSVs, grids.

Shared by ``python -m ganlab sample``, ``train``'s ``samples.png`` and the
metrics, so every front end samples the same way (same seed -> same images).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import numpy as np
import torch
from PIL import Image, ImageDraw
from torch import Tensor, nn
from torchvision.utils import make_grid

from ganlab.engine.checkpoints import atomic_write_bytes
from ganlab.errors import GanLabError
from ganlab.inference.protocol import LatentGenerator, as_generator, sample_latents

REAL_COLOUR, FAKE_COLOUR = (27, 158, 119), (123, 50, 148)  # as in the app's 2D views (viz)


def labels_for(g: "LatentGenerator | nn.Module", n: int, label: int | None,
               device: torch.device | None = None) -> Tensor | None:
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
def generate(g: "LatentGenerator | nn.Module", n: int, seed: int = 0, label: int | None = None,
             noise: str = "normal", batch: int = 500, truncation: float = 1.0) -> Tensor:
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


def to_uint8(images: Tensor) -> np.ndarray:
    """(N, C, H, W) in [-1, 1] -> (N, H, W, C) uint8."""
    x = ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)
    return x.permute(0, 2, 3, 1).numpy()


def _pil(array: np.ndarray) -> Image.Image:
    return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)


def png_bytes(img: Image.Image) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format="PNG")
    return buffer.getvalue()


def save_image_folder(images: Tensor, folder: str | Path) -> list[Path]:
    """One PNG per image: ``00000.png``, ``00001.png``, ... (each written atomically)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    width = max(5, len(str(len(images) - 1)))
    paths = []
    for index, array in enumerate(to_uint8(images)):
        path = folder / f"{index:0{width}d}.png"
        atomic_write_bytes(path, png_bytes(_pil(array)))  # never a half-written PNG
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


def image_grid(images: Tensor, nrow: int = 8, scale: int = 1) -> Image.Image:
    """A grid of images in [-1, 1] as one PIL image (upscaled ``scale``x, nearest)."""
    grid = make_grid(images.clamp(-1, 1), nrow=nrow, padding=2, normalize=True, value_range=(-1, 1),
                     pad_value=1.0)
    img = _pil(to_uint8(grid[None] * 2 - 1)[0])
    return img.resize((img.width * scale, img.height * scale), Image.NEAREST) if scale > 1 else img


def points_image(fake: Tensor, real: Tensor | None = None, size: int = 480,
                 extent: float | None = None) -> Image.Image:
    """Real (green, drawn larger, underneath) and generated (purple) 2D points on a square canvas,
    in the app's colours; a tight real cluster shows as a green halo around G's samples."""
    clouds = [p for p in (real, fake) if p is not None and len(p)]
    finite = torch.cat(clouds)[torch.isfinite(torch.cat(clouds)).all(dim=1)] if clouds else torch.zeros(1, 2)
    if extent is None:
        extent = float(finite.abs().max().clamp(min=1.0)) * 1.15 if len(finite) else 1.0
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    to_px = lambda v: (v / extent * 0.5 + 0.5) * (size - 1)
    for cloud, colour, r in ((real, REAL_COLOUR, 3), (fake, FAKE_COLOUR, 1.5)):
        if cloud is None:
            continue
        for x, y in cloud[torch.isfinite(cloud).all(dim=1)].tolist():
            px, py = to_px(x), size - 1 - to_px(y)
            draw.ellipse((px - r, py - r, px + r, py + r), fill=colour)
    return img
