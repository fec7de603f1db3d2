"""Synthetic 1D distributions with their exact densities: the picture behind Goodfellow's proof.

In one dimension both densities can be drawn as curves, so the optimal
discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)) (Goodfellow et al.
2014, proposition 1) can be computed and shown beside D. Each set carries its
exact pdf (``DataSource.density``) so D* uses the true p_data, never an
estimate; the Gaussian mixtures also carry ``modes``/``sigma`` so mode
coverage counts the two bumps of ``bimodal1d``.
"""

from __future__ import annotations

import math
from typing import Callable

import numpy as np
import torch
from torch import Tensor

from ganlab.data.source import DataSource

UNIFORM_LOW, UNIFORM_HIGH = -1.0, 1.0


def _normal_pdf(x: np.ndarray, mean: float, sigma: float) -> np.ndarray:
    return np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * math.sqrt(2 * math.pi))


def _mixture(name: str, means: list[float], sigma: float, description: str) -> DataSource:
    """Equal-weight mixture of Gaussians of one ``sigma``: fresh samples and the exact pdf."""
    centres = torch.tensor(means, dtype=torch.float32)[:, None]  # (M, 1)

    def sample(n: int, gen: torch.Generator, device: torch.device) -> Tensor:
        pick = torch.randint(0, centres.shape[0], (n,), generator=gen, device=device)
        return centres.to(device)[pick] + sigma * torch.randn(n, 1, generator=gen, device=device)

    def density(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return sum(_normal_pdf(x, m, sigma) for m in means) / len(means)

    return DataSource(
        name=name,
        kind="points",
        shape=(1,),
        description=description,
        distribution=sample,
        modes=centres,
        sigma=sigma,
        density=density,
    )


def gauss1d() -> DataSource:
    return _mixture("gauss1d", [1.0], 0.5, "one Gaussian N(1, 0.5^2) on a line")


def bimodal1d() -> DataSource:
    return _mixture("bimodal1d", [-1.5, 1.5], 0.4, "two Gaussians at -1.5 and +1.5 (sigma 0.4), equal weights")


def uniform1d() -> DataSource:
    low, high = UNIFORM_LOW, UNIFORM_HIGH

    def sample(n: int, gen: torch.Generator, device: torch.device) -> Tensor:
        return low + (high - low) * torch.rand(n, 1, generator=gen, device=device)

    def density(x: np.ndarray) -> np.ndarray:
        x = np.asarray(x, dtype=np.float64)
        return np.where((x >= low) & (x <= high), 1.0 / (high - low), 0.0)

    return DataSource(
        name="uniform1d",
        kind="points",
        shape=(1,),
        distribution=sample,
        density=density,
        description=f"uniform on [{low:g}, {high:g}]: hard edges a smooth G can only approach",
    )


TOY1D: dict[str, Callable[[], DataSource]] = {"gauss1d": gauss1d, "bimodal1d": bimodal1d, "uniform1d": uniform1d}


def is_1d(data: DataSource) -> bool:
    """A points set on a line: the runs that get the density view instead of the 2D views."""
    return data.kind == "points" and tuple(data.shape) == (1,)
