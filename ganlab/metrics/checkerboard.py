"""How much checkerboard a picture has: the spectral peaks two 2x transposed convs leave.

A stride-2 transposed conv adds a pattern of period 2 (its uneven kernel overlap); after two of
them, as in the CycleGAN generator, periods 2 and 4. In the 2D spectrum of an N x N picture
these sit on single bins: multiples of N/4 in each direction. A natural photo's spectrum is
smooth there, so the power on those bins is about the power of their neighbours; an artifact is
a spike. The score is that ratio, averaged over pictures: about 1 for a clean photo, well above
1 for a visible checkerboard. It needs no reference picture, so a translated photo and its
source can be scored alike and compared.

It counts any energy locked to the upsampling grid, not only the transposed conv's checkerboard:
the 2x2 blockiness and grid-aligned streaks a nearest-upsampling (resize) generator can make score
too, and JPEG's 8 px blocks give real photos a little (about 1.4 on summer2winter's). So it is a
measure of grid artifacts of any kind; look at a 1:1 crop to tell which kind.
"""

from __future__ import annotations

import torch
from torch import Tensor

PERIODS = 4  # bins at multiples of N / 4: periods 2 and 4 (two 2x upsamplings)


def _bins(n: int) -> tuple[Tensor, Tensor]:
    """(peak index, neighbour index) masks over an n x n spectrum (n a multiple of PERIODS)."""
    step = n // PERIODS
    on = torch.zeros(n, dtype=torch.bool)
    on[::step] = True
    peaks = on[:, None] & on[None, :]
    peaks[0, 0] = False  # the mean colour is no artifact
    near = torch.zeros(n, n, dtype=torch.bool)
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        near |= torch.roll(peaks, shifts=(dy, dx), dims=(0, 1))
    return peaks, near & ~peaks & ~(on[:, None] & on[None, :])


def checkerboard_score(images: Tensor) -> float:
    """Mean over (N, C, H, W) pictures of (power on the period-2/4 bins) / (power beside them).

    Pictures are made gray and cropped to a square whose side is a multiple of 4."""
    gray = images.detach().float().cpu().mean(1)
    side = min(gray.shape[-2:]) // PERIODS * PERIODS
    if side < 4 * PERIODS:
        raise ValueError(f"checkerboard_score needs pictures of at least {4 * PERIODS} px; got {side}")
    gray = gray[:, :side, :side]
    power = torch.fft.fft2(gray - gray.mean(dim=(-2, -1), keepdim=True)).abs().square()
    peaks, near = _bins(side)
    ratio = power[:, peaks].mean(1) / power[:, near].mean(1).clamp_min(1e-12)
    return float(ratio.mean())
