"""Mode coverage for mixtures of Gaussians, as in VEEGAN (Srivastava et al. 2017) and PacGAN.

A sample is *high quality* when it lies within 3 sigma of its nearest mode;
a mode is *captured* when at least one high-quality sample is nearest to it.
The KL divergence of the high-quality samples' mode histogram from uniform
says how evenly the captured modes are covered (0 = perfectly even).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor

SAMPLES = 2500  # the benchmark's sample count


@dataclass(frozen=True)
class ModeCoverage:
    modes_captured: int
    modes_total: int
    high_quality: float  # share of samples within 3 sigma of their nearest mode, in [0, 1]
    kl_to_uniform: float  # KL(mode histogram of HQ samples || uniform), nats

    def as_dict(self) -> dict:
        return asdict(self)


def mode_coverage(samples: Tensor, modes: Tensor, sigma: float) -> ModeCoverage:
    """Score 2D ``samples`` (N, 2) against mixture ``modes`` (M, 2) of std ``sigma``."""
    samples = samples.detach().float().cpu()
    modes = modes.detach().float().cpu()
    dist = torch.cdist(samples, modes)  # (N, M)
    nearest_dist, nearest = dist.min(dim=1)
    good = torch.isfinite(nearest_dist) & (nearest_dist <= 3 * sigma)
    counts = torch.bincount(nearest[good], minlength=modes.shape[0]).double()
    total = counts.sum()
    if total > 0:
        p = counts / total
        q = 1.0 / modes.shape[0]
        nz = p > 0
        kl = float((p[nz] * (p[nz] / q).log()).sum())
    else:
        kl = float("inf")
    return ModeCoverage(
        int((counts > 0).sum()), int(modes.shape[0]), float(good.double().mean()) if len(samples) else 0.0, kl
    )
