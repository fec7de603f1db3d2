"""Restore one image with a trained restoration model: x4 upscale, denoise or inpaint.

``restore(checkpoint, image, mask=None, sigma=None)`` takes and returns PIL images:
- x4 (``sr4``): the output is 4x the input's width and height;
- ``denoise``: the input is taken as it is (already noisy); ``sigma`` first adds Gaussian noise of
  that level (in [0, 1] units, a fixed seed), the "degrade, then restore" demo;
- ``inpaint``: ``mask`` is a grayscale image of the input's size where white (> 127) marks the
  pixels to fill; only those pixels change, every other one comes back exactly as it was.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import torch
from PIL import Image
from torch import Tensor, nn

from ganlab.engine.checkpoints import build_module, load_checkpoint
from ganlab.errors import CheckpointError, GanLabError
from ganlab.families.restore import degrade

NOISE_SEED = 0  # the demo noise for --sigma: the same picture every time


@dataclass
class Restorer:
    """A restoration generator with what it needs to know: its task and channels (1 or 3)."""

    name: str
    G: nn.Module
    task: str
    channels: int
    dataset: str | None = None  # what it was trained on: eval scores it on that set's test split
    model: str | None = None  # pix2pix | srresnet | srgan

    @property
    def device(self) -> torch.device:
        return next(self.G.parameters()).device


def load_restorer(spec: str | Path, device: str | torch.device = "cpu") -> Restorer:
    """A restoration checkpoint (a run folder written by ``train --model pix2pix|srresnet|srgan``)."""
    ckpt = load_checkpoint(spec)
    meta = ckpt.meta
    if meta.get("kind") != "restore":
        raise CheckpointError(
            f"{ckpt.path.name} is a {meta.get('kind', 'gan')} checkpoint, not a restoration "
            "model (train one with --model pix2pix, srresnet or srgan)"
        )
    task, channels = meta.get("task"), meta.get("channels")
    if task not in degrade.TASKS or channels not in (1, 3):
        raise CheckpointError(f"{ckpt.path.name}: model.json lacks a valid task or channel count")
    g = build_module(meta.get("generator"), ckpt.group("G"), f"{ckpt.path.name} generator")
    config = meta.get("config") or {}
    return Restorer(
        ckpt.name,
        g.float().to(device).eval().requires_grad_(False),
        task,
        channels,
        config.get("dataset"),
        config.get("model"),
    )


def _to_tensor(image: Image.Image, channels: int) -> Tensor:
    array = np.asarray(image.convert("L" if channels == 1 else "RGB"), dtype=np.float32) / 255.0
    x = torch.from_numpy(array.copy())
    return (x[None] if x.ndim == 2 else x.permute(2, 0, 1))[None]


def _to_image(x: Tensor) -> Image.Image:
    array = (x[0].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).cpu().numpy()
    return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)


def mask_tensor(mask: Image.Image, size: tuple[int, int], label: str = "mask") -> Tensor:
    """A grayscale mask -> (1, 1, H, W) with 1 where the pixel is white (> 127): the hole."""
    if mask.size != size:
        raise GanLabError(
            f"{label}: the mask is {mask.width}x{mask.height} but the image is "
            f"{size[0]}x{size[1]}; draw it at the image's size"
        )
    hole = torch.from_numpy(np.asarray(mask.convert("L")) > 127).float()[None, None]
    if not hole.any():
        raise GanLabError(f"{label}: the mask is all black: nothing to fill (white marks the pixels to fill)")
    return hole


@torch.no_grad()
def restore_tensor(r: Restorer, x: Tensor, hole: Tensor | None = None) -> Tensor:
    """A batch in [0, 1] -> restored in [0, 1] (``hole`` (N, 1, H, W), 1 = fill, for inpainting)."""
    if r.task != "inpaint":
        return ((r.G(x * 2 - 1).float() + 1) / 2).clamp(0, 1)
    if hole is None:
        raise GanLabError(f"{r.name} inpaints: give a mask (white = the pixels to fill)")
    known = x * (1 - hole)
    out = (r.G(torch.cat([known * 2 - 1, hole], 1)).float() + 1) / 2
    return degrade.composite(out.clamp(0, 1), x, hole)


@torch.no_grad()
def restore(
    model: Restorer | str | Path, image: Image.Image, mask: Image.Image | None = None, sigma: float | None = None
) -> Image.Image:
    """The restored picture (see the module's notes for each task)."""
    r = model if isinstance(model, Restorer) else load_restorer(model)
    x = _to_tensor(image, r.channels).to(r.device)
    hole = None
    if r.task == "denoise" and sigma is not None:
        if not 0 <= sigma <= 1:
            raise GanLabError(f"sigma: must be in [0, 1] (intensity units); got {sigma:g}")
        x = degrade.add_noise(x, sigma, torch.Generator(x.device).manual_seed(NOISE_SEED))
    elif r.task == "inpaint":
        if mask is None:
            raise GanLabError(f"{r.name} inpaints: give a mask (white = the pixels to fill)")
        hole = mask_tensor(mask, image.size).to(r.device)
    return _to_image(restore_tensor(r, x, hole))
