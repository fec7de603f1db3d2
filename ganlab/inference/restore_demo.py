"""What the Restore tab shows beyond one restored picture, without any UI: the restoration models
by task, an SR model's twin, bounded input sizes, hole masks, and "degrade, then restore".

The demo starts from a clean picture, degrades it the way the model was trained to undo (x4
bicubic downscale, Gaussian noise at a chosen sigma, a hole), restores it, and scores every
panel with PSNR/SSIM against the clean picture, so the ground truth is known. All images are
PIL; tensors are [0, 1] as in :mod:`ganlab.families.restore.degrade`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from PIL import Image

from ganlab.engine.checkpoints import read_meta
from ganlab.errors import CheckpointError, GanLabError
from ganlab.families.restore import degrade
from ganlab.inference.catalog import list_checkpoints
from ganlab.inference.restore import NOISE_SEED, Restorer, mask_tensor, restore
from ganlab.metrics.restoration import scores

# Longer side an input may have before it is scaled down: x4 makes 16x the pixels, so SR inputs
# are capped lower than denoising/inpainting ones (which keep the size).
MAX_SIDE = {"sr4": 512, "denoise": 1024, "inpaint": 1024}
HOLE_GRAY = 128  # how a hole is drawn in a "masked" picture (black would vanish on a digit's background)
ARCH_LABELS = {"pix2pix": "pix2pix", "srresnet": "SRResNet", "srgan": "SRGAN"}


# -- the models --------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelInfo:
    """A restoration checkpoint as a dropdown needs it: name, task, architecture, data set."""

    name: str
    path: Path
    task: str
    arch: str  # pix2pix | srresnet | srgan
    dataset: str
    channels: int
    shipped: bool
    metrics: dict = field(default_factory=dict, compare=False)  # held-out PSNR/SSIM, when the run ended
    card: str = field(default="", compare=False)  # a shipped model's card: what it is, what it saw

    @property
    def label(self) -> str:
        return ARCH_LABELS.get(self.arch, self.arch)


def list_models(task: str | None = None) -> list[ModelInfo]:
    """Restoration checkpoints (shipped first, then saved runs), optionally of one task only.

    Read from each folder's model.json every call, so a run saved a moment ago is listed."""
    found = []
    for entry in list_checkpoints("restore"):
        try:
            meta = read_meta(entry.path)
        except CheckpointError:
            continue  # a folder being rewritten right now; listed on the next call
        info = ModelInfo(
            entry.name,
            entry.path,
            str(meta.get("task")),
            str(meta.get("model")),
            str((meta.get("dataset") or {}).get("name", "?")),
            int(meta.get("channels") or 0),
            entry.shipped,
            dict(meta.get("metrics") or {}),
            str(meta.get("card") or ""),
        )
        if info.task in degrade.TASKS and (task is None or info.task == task):
            found.append(info)
    return found


def twin(info: ModelInfo, models: list[ModelInfo]) -> ModelInfo | None:
    """The other x4 model of a pair (SRResNet for an SRGAN and back), trained on the same data.

    A name that extends the other (``photo-sr4`` / ``photo-sr4-psnr``) wins; otherwise the first
    of the other architecture on that data set with the same channels."""
    if info.task != "sr4":
        return None
    other = {"srgan": "srresnet", "srresnet": "srgan"}.get(info.arch)
    candidates = [
        m
        for m in models
        if m.task == "sr4"
        and m.arch == other
        and m.name != info.name
        and m.dataset == info.dataset
        and m.channels == info.channels
    ]
    named = [m for m in candidates if m.name.startswith(info.name) or info.name.startswith(m.name)]
    return (named or candidates or [None])[0]


# -- sizes and masks -----------------------------------------------------------------------


def bound(image: Image.Image, task: str) -> tuple[Image.Image, bool]:
    """``image`` scaled down (aspect kept) so its longer side is at most ``MAX_SIDE[task]``;
    True when it was, so the caller can say so."""
    side = MAX_SIDE.get(task, 1024)
    if max(image.size) <= side:
        return image, False
    scale = side / max(image.size)
    size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
    return image.resize(size, Image.BICUBIC), True


def layer_mask(layer: Image.Image, size: tuple[int, int]) -> Image.Image | None:
    """A drawn layer (RGBA, transparent where nothing was drawn) -> the white-is-hole mask at
    ``size``; None when nothing was drawn. The layer is stretched to ``size`` if it differs
    (an editor canvas scaled to fit)."""
    alpha = np.asarray(layer.getchannel("A") if "A" in layer.getbands() else layer.convert("L"))
    if not (alpha > 0).any():
        return None
    mask = Image.fromarray(np.where(alpha > 0, 255, 0).astype(np.uint8), "L")
    return mask if mask.size == size else mask.resize(size, Image.NEAREST)


def random_box(size: tuple[int, int], seed: int) -> Image.Image:
    """A white box on black covering a quarter to a half of each side: the training masks' boxes."""
    generator = torch.Generator().manual_seed(int(seed))
    box = degrade.box_mask(1, size[1], size[0], generator, "cpu")
    return Image.fromarray((box[0, 0].numpy() * 255).astype(np.uint8), "L")


# -- tensors <-> pictures ---------------------------------------------------------------------


def to_tensor(image: Image.Image, channels: int) -> torch.Tensor:
    array = np.asarray(image.convert("L" if channels == 1 else "RGB"), dtype=np.float32) / 255.0
    x = torch.from_numpy(array.copy())
    return (x[None] if x.ndim == 2 else x.permute(2, 0, 1))[None]


def to_image(x: torch.Tensor) -> Image.Image:
    array = (x[0].clamp(0, 1) * 255).round().to(torch.uint8).permute(1, 2, 0).numpy()
    return Image.fromarray(array[..., 0] if array.shape[-1] == 1 else array)


def noisy(image: Image.Image, channels: int, sigma: float) -> Image.Image:
    """``image`` with the noise :func:`ganlab.inference.restore.restore` adds for ``sigma`` (same seed)."""
    x = to_tensor(image, channels)
    return to_image(degrade.add_noise(x, sigma, torch.Generator().manual_seed(NOISE_SEED)))


def with_hole(image: Image.Image, mask: Image.Image) -> Image.Image:
    """The picture with its hole painted gray: what the inpainting model is missing."""
    hole = np.asarray(mask.convert("L")) > 127
    array = np.asarray(image).copy()
    array[hole] = HOLE_GRAY
    return Image.fromarray(array, image.mode)


def check_sigma(sigma: float | None) -> float | None:
    if sigma is not None and not 0 <= float(sigma) <= 1:
        raise GanLabError(f"sigma: must be in [0, 1] (intensity units); got {float(sigma):g}")
    return None if sigma is None else float(sigma)


def input_view(
    r: Restorer,
    image: Image.Image,
    output_size: tuple[int, int],
    mask: Image.Image | None = None,
    sigma: float | None = None,
) -> Image.Image:
    """What the model was given, at its output's size, for a before/after view: bicubic x4 for
    an x4 model, the noisy picture for a denoiser, the picture with its hole for an inpainter."""
    if r.task == "sr4":
        return image.convert("L" if r.channels == 1 else "RGB").resize(output_size, Image.BICUBIC)
    if r.task == "denoise":
        return noisy(image, r.channels, sigma) if sigma else image.convert("L" if r.channels == 1 else "RGB")
    return with_hole(image.convert("L" if r.channels == 1 else "RGB"), mask)


# -- degrade, then restore ----------------------------------------------------------------------


@dataclass(frozen=True)
class Panel:
    """One picture of the comparison; scored against the clean picture unless it is the clean one."""

    image: Image.Image
    label: str
    psnr: float | None = None
    ssim: float | None = None

    @property
    def caption(self) -> str:
        if self.psnr is None:
            return self.label
        return f"{self.label}: PSNR {self.psnr:.2f} dB, SSIM {self.ssim:.3f}"


def clean_for(image: Image.Image, r: Restorer) -> tuple[Image.Image, bool]:
    """The clean picture in the model's channels, bounded; for x4 cropped to sides that are
    multiples of 4 (so downscaling and restoring gives the same size back)."""
    clean, scaled = bound(image.convert("L" if r.channels == 1 else "RGB"), r.task)
    if r.task == "sr4":
        w, h = clean.width - clean.width % 4, clean.height - clean.height % 4
        if w < 4 or h < 4:
            raise GanLabError(f"image: {image.width}x{image.height} is too small to shrink x4 (at least 4x4)")
        clean = clean.crop((0, 0, w, h))
    return clean, scaled


def _scored(image: Image.Image, label: str, clean: Image.Image, channels: int) -> Panel:
    s = scores(to_tensor(image, channels), to_tensor(clean, channels))
    return Panel(image, label, s["psnr"], s["ssim"])


def degrade_and_restore(
    models: list[tuple[str, Restorer]], clean: Image.Image, sigma: float | None = None, mask: Image.Image | None = None
) -> list[Panel]:
    """Clean, degraded (the trivial baseline), then each model's restoration, all of one task
    and scored against ``clean`` (from :func:`clean_for`; a mask at its size for inpainting)."""
    task, channels = models[0][1].task, models[0][1].channels
    out = [Panel(clean, "clean (ground truth)")]
    if task == "sr4":
        small = to_image(degrade.downscale4(to_tensor(clean, channels)))
        out.append(
            _scored(to_image(degrade.upscale_bicubic(to_tensor(small, channels))), "bicubic x4", clean, channels)
        )
        given = dict(image=small)
    elif task == "denoise":
        sigma = check_sigma(sigma) or 0.0
        given = dict(image=noisy(clean, channels, sigma))
        out.append(_scored(given["image"], f"noisy (sigma {sigma:g})", clean, channels))
    else:
        if mask is None:
            raise GanLabError("mask: draw the hole on the image (or press Random box) first")
        mask_tensor(mask, clean.size)  # refuses an all-black mask clearly
        given = dict(image=clean, mask=mask)
        out.append(_scored(with_hole(clean, mask), "masked (hole in gray)", clean, channels))
    for label, r in models:
        out.append(_scored(restore(r, **given), label, clean, channels))
    return out
