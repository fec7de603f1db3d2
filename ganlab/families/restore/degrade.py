"""Degradations that turn clean images into restoration inputs, on the training device.

Convention: every function here takes and returns images in **[0, 1]**
(``(N, C, H, W)`` float), because the noise level sigma is defined in [0, 1]
intensity units and PSNR/SSIM use a data range of 1. The networks work in
[-1, 1] like every GAN Lab model; the trainer converts at the boundary.

Masks are ``(N, 1, H, W)`` floats, 1 where a pixel is missing (the hole) and 0
where it is kept. Randomness comes only from the ``torch.Generator`` passed in,
so a degraded batch is reproducible from a seed (and resumes bit for bit).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor

SCALE = 4  # the x4 super-resolution factor


def _bicubic(x: Tensor, size: list[int]) -> Tensor:
    """torchvision's antialiased bicubic resize, clamped to [0, 1] (bicubic overshoots a little at edges).

    torchvision is imported here, on first use: importing it costs about 3 s, and every
    ``python -m ganlab`` command and the app's start-up import this module through the
    family registry.
    """
    from torchvision.transforms.v2 import InterpolationMode
    from torchvision.transforms.v2 import functional as TF

    return TF.resize(x, size, interpolation=InterpolationMode.BICUBIC, antialias=True).clamp(0, 1)


def downscale4(x: Tensor) -> Tensor:
    """Bicubic x4 downscaling with antialias, exactly torchvision's (and close to PIL's BICUBIC)."""
    h, w = x.shape[-2:]
    if h % SCALE or w % SCALE:
        raise ValueError(f"x4 downscaling needs sides that are multiples of 4; got {h}x{w}")
    return _bicubic(x, [h // SCALE, w // SCALE])


def upscale_bicubic(x: Tensor, factor: int = SCALE) -> Tensor:
    """The trivial x4 baseline every SR result is compared with."""
    h, w = x.shape[-2:]
    return _bicubic(x, [h * factor, w * factor])


def add_noise(x: Tensor, sigma: float | Tensor, generator: torch.Generator | None = None) -> Tensor:
    """x + sigma * N(0, 1), clipped to [0, 1]; ``sigma`` a number or one value per image (N,)."""
    if not torch.is_tensor(sigma):
        sigma = torch.tensor(float(sigma), device=x.device)
    sigma = sigma.to(x.device, x.dtype)
    if sigma.dim():
        sigma = sigma.reshape(-1, *([1] * (x.dim() - 1)))
    noise = torch.randn(x.shape, generator=generator, device=x.device, dtype=x.dtype)
    return (x + sigma * noise).clamp(0, 1)


def box_mask(
    n: int, h: int, w: int, generator: torch.Generator, device: torch.device | str, low: float = 0.25, high: float = 0.5
) -> Tensor:
    """One axis-aligned box per image, each side a random fraction in [low, high] of the image."""
    g_dev = generator.device
    bh = (h * (low + (high - low) * torch.rand(n, 1, 1, generator=generator, device=g_dev))).long().clamp(min=1)
    bw = (w * (low + (high - low) * torch.rand(n, 1, 1, generator=generator, device=g_dev))).long().clamp(min=1)
    top = (torch.rand(n, 1, 1, generator=generator, device=g_dev) * (h - bh + 1)).long()
    left = (torch.rand(n, 1, 1, generator=generator, device=g_dev) * (w - bw + 1)).long()
    rows = torch.arange(h, device=g_dev).view(1, h, 1)
    cols = torch.arange(w, device=g_dev).view(1, 1, w)
    inside = (rows >= top) & (rows < top + bh) & (cols >= left) & (cols < left + bw)
    return inside[:, None].float().to(device)


def stroke_mask(
    n: int,
    h: int,
    w: int,
    generator: torch.Generator,
    device: torch.device | str,
    strokes: int = 4,
    width: float = 0.08,
) -> Tensor:
    """Free-form strokes: ``strokes`` random line segments per image, each a brush of radius
    ``width`` x the shorter side, drawn as every pixel near a segment (distance to segment)."""
    g_dev = generator.device
    scale = torch.tensor([h, w], device=g_dev, dtype=torch.float32)
    start = torch.rand(n, strokes, 2, generator=generator, device=g_dev) * scale
    angle = torch.rand(n, strokes, generator=generator, device=g_dev) * (2 * math.pi)
    length = (0.2 + 0.4 * torch.rand(n, strokes, generator=generator, device=g_dev)) * min(h, w)
    end = start + length[..., None] * torch.stack([angle.sin(), angle.cos()], dim=-1)
    radius = max(1.0, width * min(h, w))
    yy, xx = torch.meshgrid(torch.arange(h, device=g_dev), torch.arange(w, device=g_dev), indexing="ij")
    pixels = torch.stack([yy, xx], dim=-1).reshape(1, 1, h * w, 2).float() + 0.5  # pixel centres
    seg = (end - start)[:, :, None]  # (n, s, 1, 2)
    rel = pixels - start[:, :, None]  # (n, s, hw, 2)
    t = ((rel * seg).sum(-1) / seg.square().sum(-1).clamp(min=1e-6)).clamp(0, 1)
    dist = (rel - t[..., None] * seg).norm(dim=-1)  # (n, s, hw)
    hole = (dist <= radius).any(dim=1).reshape(n, 1, h, w)
    return hole.float().to(device)


def random_mask(n: int, h: int, w: int, generator: torch.Generator, device: torch.device | str) -> Tensor:
    """Half boxes, half strokes (each image picks by a coin flip), so one model fills both."""
    use_box = torch.rand(n, 1, 1, 1, generator=generator, device=generator.device).to(device) < 0.5
    return torch.where(use_box, box_mask(n, h, w, generator, device), stroke_mask(n, h, w, generator, device))


def apply_hole(x: Tensor, mask: Tensor) -> Tensor:
    """The masked input: the hole zeroed, the mask as one more channel (C + 1 channels)."""
    return torch.cat([x * (1 - mask), mask], dim=1)


def composite(restored: Tensor, known: Tensor, mask: Tensor) -> Tensor:
    """Only the hole is replaced: known pixels come back exactly as they were."""
    return torch.where(mask > 0.5, restored, known)


@dataclass(frozen=True)
class Pair:
    """A training pair in [0, 1]: what the network sees, what it should give, the hole (inpaint)."""

    input: Tensor  # (N, C, H, W); (N, C, H/4, W/4) for sr4; (N, C + 1, H, W) for inpaint
    target: Tensor  # (N, C, H, W)
    mask: Tensor | None = None  # (N, 1, H, W), 1 = hole


def sr4_pair(clean: Tensor, generator: torch.Generator, sigma_range: tuple[float, float]) -> Pair:
    return Pair(downscale4(clean), clean)


def denoise_pair(clean: Tensor, generator: torch.Generator, sigma_range: tuple[float, float]) -> Pair:
    """One sigma per image, uniform in ``sigma_range``: one model serves a whole noise slider."""
    low, high = sigma_range
    sigma = low + (high - low) * torch.rand(clean.shape[0], generator=generator, device=generator.device)
    return Pair(add_noise(clean, sigma.to(clean.device), generator), clean)


def inpaint_pair(clean: Tensor, generator: torch.Generator, sigma_range: tuple[float, float]) -> Pair:
    n, _, h, w = clean.shape
    mask = random_mask(n, h, w, generator, clean.device)
    return Pair(apply_hole(clean, mask), clean, mask)


@dataclass(frozen=True)
class Task:
    """A restoration task: how a pair is made, which models serve it, its trivial baseline."""

    name: str
    make: Callable[[Tensor, torch.Generator, tuple[float, float]], Pair]
    models: tuple[str, ...]
    summary: str
    extra_channels: int = 0  # the mask channel
    scale: int = 1


TASKS: dict[str, Task] = {
    t.name: t
    for t in (
        Task(
            "sr4", sr4_pair, ("srresnet", "srgan"), "x4 super-resolution (bicubic antialiased downscale)", scale=SCALE
        ),
        Task("denoise", denoise_pair, ("pix2pix",), "additive Gaussian noise, sigma across a range"),
        Task("inpaint", inpaint_pair, ("pix2pix",), "fill boxes and free-form strokes", extra_channels=1),
    )
}


def baseline(task: str, pair: Pair) -> Tensor:
    """The trivial answer a restoration must beat: bicubic x4, the noisy input, the masked input."""
    if task == "sr4":
        return upscale_bicubic(pair.input)
    if task == "inpaint":
        return pair.input[:, :-1]
    return pair.input
