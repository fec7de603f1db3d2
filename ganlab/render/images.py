"""Tensors to pixels: the one uint8 converter, PIL/PNG helpers and the one image grid.

Images in GAN Lab are float tensors in [-1, 1], (N, C, H, W) or (C, H, W);
everything that shows or saves one goes through :func:`to_uint8`, so a
sample looks the same in the app, in ``samples.png`` and in a PNG folder.
"""

from __future__ import annotations

import io
import math

import numpy as np
import torch
from PIL import Image


def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Float images in [-1, 1] -> uint8 in [0, 255] on the CPU, same layout (uint8 passes through)."""
    if images.dtype == torch.uint8:
        return images
    return ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def to_hwc(images: torch.Tensor) -> np.ndarray:
    """(N, C, H, W) or (C, H, W) in [-1, 1] -> (N, H, W, C) or (H, W, C) uint8 numpy."""
    x = to_uint8(images)
    return x.movedim(-3, -1).numpy()


def to_pil(image: torch.Tensor | np.ndarray) -> Image.Image:
    """One image ((1, C, H, W), (C, H, W) tensor or (H, W, C) uint8 array) -> PIL (grey as "L")."""
    array = image if isinstance(image, np.ndarray) else to_hwc(image[0] if image.ndim == 4 else image)
    return Image.fromarray(array[..., 0] if array.ndim == 3 and array.shape[-1] == 1 else array)


def upscale(image: Image.Image, factor: int) -> Image.Image:
    """Nearest-neighbour upscaling by a whole factor (pixels stay crisp)."""
    return image.resize((image.width * factor, image.height * factor), Image.NEAREST) if factor > 1 else image


def png_bytes(image: Image.Image | np.ndarray) -> bytes:
    """A PIL image or a uint8 array as PNG file bytes."""
    if isinstance(image, np.ndarray):
        image = Image.fromarray(image)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def image_grid(
    samples: torch.Tensor, nrow: int | None = None, target_px: int = 512, pad: int = 2, scale: int | None = None
) -> np.ndarray:
    """A (H, W, 3) uint8 grid of (N, C, H, W) samples (float in [-1, 1] or uint8) on white padding.

    ``nrow`` defaults to a square layout; the grid is upscaled (nearest) by ``scale``, or when
    that is None by the largest whole factor that keeps it within about ``target_px``.
    """
    images = to_uint8(samples)
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    nrow = nrow or max(1, int(math.ceil(math.sqrt(images.shape[0]))))
    array = tile(images.permute(0, 2, 3, 1).numpy(), nrow, pad)
    factor = max(1, target_px // max(array.shape[:2])) if scale is None else max(1, int(scale))
    if factor > 1:
        array = array.repeat(factor, axis=0).repeat(factor, axis=1)
    return np.ascontiguousarray(array)


def tile(images: np.ndarray, nrow: int, pad: int = 2, fill: int = 255) -> np.ndarray:
    """(N, H, W, C) uint8 images in rows of ``nrow`` on ``fill`` padding: torchvision's
    ``make_grid`` layout (``pad`` around and between; one image alone unpadded).

    Written out rather than imported: ``import torchvision`` takes about 3 s (it loads
    torch._dynamo), and the Explore tab draws its first strip while the app starts.
    """
    n, h, w, c = images.shape
    if n == 1:
        return images[0].copy()
    cols = min(nrow, n)
    rows = int(math.ceil(n / cols))
    grid = np.full((pad + rows * (h + pad), pad + cols * (w + pad), c), fill, dtype=np.uint8)
    for i, image in enumerate(images):
        y, x = pad + (i // cols) * (h + pad), pad + (i % cols) * (w + pad)
        grid[y : y + h, x : x + w] = image
    return grid
