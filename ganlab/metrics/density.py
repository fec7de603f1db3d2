"""1D densities on a grid: a Gaussian KDE of samples and the optimal discriminator between two densities.

D*(x) = p_data(x) / (p_data(x) + p_g(x)) is the discriminator that maximises
the GAN value function for a fixed G (Goodfellow et al. 2014, proposition 1);
at the global optimum p_g = p_data and D* = 1/2 everywhere. Plain numpy
functions, so a test can check them against closed forms.
"""

from __future__ import annotations

import math

import numpy as np

KDE_CHUNK = 512  # grid points per block: bounds the (grid, samples) matrix in memory
NEGLIGIBLE = 1e-3  # where p_data + p_g is below this share of its peak, no evidence either way: D* := 1/2


def silverman_bandwidth(samples: np.ndarray) -> float:
    """Silverman's rule of thumb, 0.9 * min(std, IQR / 1.34) * n^(-1/5), floored so a collapsed G
    (every sample equal) still gives a finite, narrow bump instead of a division by zero."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    if len(x) < 2:
        return 1e-3
    q75, q25 = np.percentile(x, [75, 25])
    spread = min(float(x.std(ddof=1)), float(q75 - q25) / 1.34) or float(x.std(ddof=1))
    return max(0.9 * spread * len(x) ** -0.2, 1e-3)


def gaussian_kde(samples: np.ndarray, xs: np.ndarray, bandwidth: float | None = None) -> np.ndarray:
    """The Gaussian kernel density estimate of 1D ``samples`` at ``xs`` (Silverman bandwidth by
    default); non-finite samples are dropped, no samples give a zero density."""
    x = np.asarray(samples, dtype=np.float64).ravel()
    x = x[np.isfinite(x)]
    grid = np.asarray(xs, dtype=np.float64).ravel()
    if len(x) == 0:
        return np.zeros_like(grid)
    h = silverman_bandwidth(x) if bandwidth is None else float(bandwidth)
    out = np.empty_like(grid)
    norm = 1.0 / (len(x) * h * math.sqrt(2 * math.pi))
    for i in range(0, len(grid), KDE_CHUNK):
        u = (grid[i : i + KDE_CHUNK, None] - x[None, :]) / h
        out[i : i + KDE_CHUNK] = np.exp(-0.5 * u * u).sum(axis=1) * norm
    return out


def optimal_discriminator(p_data: np.ndarray, p_g: np.ndarray, floor: float = NEGLIGIBLE) -> np.ndarray:
    """D*(x) = p_data / (p_data + p_g), and 1/2 where p_data + p_g is at most ``floor`` times its
    largest value on the grid: far from both distributions neither density says anything (the
    formula tends to 0/0 and its value there is tail noise), and a coin is the best one can do."""
    p_data = np.asarray(p_data, dtype=np.float64)
    p_g = np.asarray(p_g, dtype=np.float64)
    total = p_data + p_g
    peak = float(np.nanmax(total)) if total.size else 0.0
    known = total > max(floor * peak, 1e-300)
    return np.where(known, p_data / np.where(known, total, 1.0), 0.5)
