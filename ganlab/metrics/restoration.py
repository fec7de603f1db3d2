"""PSNR and SSIM for restored images, from torchmetrics' reference implementations.

Images are ``(N, C, H, W)`` floats in [0, 1] (data range 1). RGB images are
measured on the luma (Y) channel, as super-resolution papers report them
(ITU-R BT.601, the ``rgb2ycbcr`` of MATLAB: Y in [16, 235] / 255); gray
images as they are. Scores are per image; ``mean_*`` averages them.

A pixel-exact copy has an infinite PSNR; it is reported as :data:`PSNR_CAP`
(100 dB) so that a mean over images stays finite (an inpainting hole that
falls on plain background is filled exactly by the masked input itself).
"""

from __future__ import annotations

import torch
from torch import Tensor

# torchmetrics is imported in psnr() and ssim(), on first use: it pulls in scipy (about 1.7 s),
# and the app and every CLI command import this module through the family registry.

BT601 = (65.481, 128.553, 24.966)  # Y = 16 + these . (R, G, B), on a 0..255 scale
PSNR_CAP = 100.0  # dB for identical images (MSE 0), instead of inf


def luma(x: Tensor) -> Tensor:
    """RGB (N, 3, H, W) in [0, 1] -> Y (N, 1, H, W) in [16/255, 235/255]; gray passes through."""
    if x.shape[1] == 1:
        return x
    if x.shape[1] != 3:
        raise ValueError(f"expected 1 (gray) or 3 (RGB) channels; got {x.shape[1]}")
    weights = torch.tensor(BT601, device=x.device, dtype=x.dtype).view(1, 3, 1, 1)
    return (16.0 + (x * weights).sum(dim=1, keepdim=True)) / 255.0


def _prepare(pred: Tensor, target: Tensor) -> tuple[Tensor, Tensor]:
    if pred.shape != target.shape:
        raise ValueError(f"images differ in shape: {tuple(pred.shape)} vs {tuple(target.shape)}")
    return luma(pred.float().clamp(0, 1)), luma(target.float().clamp(0, 1))


def psnr(pred: Tensor, target: Tensor) -> Tensor:
    """Per-image PSNR in dB (N,): 10 log10(1 / MSE) on Y (RGB) or gray, at most PSNR_CAP."""
    from torchmetrics.functional.image import peak_signal_noise_ratio

    p, t = _prepare(pred, target)
    values = peak_signal_noise_ratio(p, t, data_range=1.0, reduction="none", dim=(1, 2, 3))
    return values.nan_to_num(posinf=PSNR_CAP).clamp(max=PSNR_CAP)


def ssim(pred: Tensor, target: Tensor) -> Tensor:
    """Per-image SSIM (N,) with the standard 11x11 Gaussian window (sigma 1.5) on Y or gray.

    Images smaller than the window use the largest odd window that fits (digits are 16 px).
    """
    from torchmetrics.functional.image import structural_similarity_index_measure

    p, t = _prepare(pred, target)
    side = min(p.shape[-2:])
    kernel = 11 if side >= 11 else max(3, side - (1 - side % 2))
    sigma = 1.5 * kernel / 11
    return structural_similarity_index_measure(p, t, data_range=1.0, reduction="none", kernel_size=kernel, sigma=sigma)


def mean_psnr(pred: Tensor, target: Tensor) -> float:
    return float(psnr(pred, target).mean())


def mean_ssim(pred: Tensor, target: Tensor) -> float:
    return float(ssim(pred, target).mean())


def scores(pred: Tensor, target: Tensor) -> dict[str, float]:
    """{"psnr": dB, "ssim": [0, 1]} averaged over the batch: what sits beside every result."""
    return {"psnr": mean_psnr(pred, target), "ssim": mean_ssim(pred, target)}
