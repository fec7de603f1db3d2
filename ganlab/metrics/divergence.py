"""KL and JS divergence "by grid" between real and generated points (1D or 2D).

GAN Lab plots these two numbers beside the losses, but its version has bugs
(docs/divergence.md lists them). Here the definition is explicit:

1. **A fixed grid.** The run's fixed view extent (``probes.view_extent``), cut into
   ``BINS[d]`` equal bins per axis (32 x 32 in 2D, 64 in 1D). Bins are half-open
   ``[lo, hi)`` except the last, which includes the extent's upper edge (as ``numpy.histogram``).
2. **Nothing dropped.** One extra *outside* cell counts every point outside the extent and
   every non-finite point, so both histograms always hold all their points; a G that throws
   samples far away is penalised, never silently ignored or clipped onto an edge.
3. **Smoothing.** Each histogram is normalised to probabilities and mixed with the uniform
   distribution over all ``K`` cells (the outside one included):
   ``p~ = (1 - lam) p + lam / K`` with ``lam = SMOOTHING`` (1 %). This is additive
   (Laplace-style) smoothing, ``eps = lam / ((1 - lam) K)`` per cell, renormalised; it keeps KL
   finite where G misses a cell.
4. **The formulas**, in nats (natural log): ``KL(P||Q) = sum_i p_i ln(p_i / q_i)`` and
   ``JS(P, Q) = KL(P||M)/2 + KL(Q||M)/2`` with ``M = (P + Q)/2``, so ``0 <= JS <= ln 2``.
   P is the real histogram, Q the generated one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import numpy as np

BINS = {1: 64, 2: 32}  # bins per axis, by data dimension
SMOOTHING = 0.01  # share of each histogram's mass spread evenly over all cells
LN2 = float(np.log(2.0))


def _as_points(points) -> np.ndarray:
    """(N, d) float64 numpy from a tensor or array; a flat (N,) vector is 1D data."""
    if hasattr(points, "detach"):
        points = points.detach().float().cpu().numpy()
    pts = np.asarray(points, dtype=np.float64)
    return pts.reshape(-1, 1) if pts.ndim == 1 else pts.reshape(len(pts), -1)


def axis_ranges(extent: Sequence[float], dim: int) -> list[tuple[float, float]]:
    """(lo, hi) per data axis from a flat extent ``(x0, x1, y0, y1, ...)``; a 1D set uses (x0, x1)."""
    values = [float(v) for v in extent]
    if len(values) < 2 * dim:
        raise ValueError(f"extent {tuple(values)} has fewer than {dim} (lo, hi) pairs")
    ranges = [(values[2 * i], values[2 * i + 1]) for i in range(dim)]
    if any(not hi > lo for lo, hi in ranges):
        raise ValueError(f"extent {tuple(values)}: every axis needs hi > lo")
    return ranges


def histogram(points, extent: Sequence[float], bins: int | None = None) -> np.ndarray:
    """Counts on the fixed grid, flattened (row-major over axes), with the *outside* cell last.

    ``len(result) == bins ** d + 1`` and ``result.sum() == len(points)``.
    """
    pts = _as_points(points)
    dim = pts.shape[1]
    bins = bins or BINS.get(dim, 16)
    flat = np.zeros(len(pts), dtype=np.int64)
    inside = np.isfinite(pts).all(axis=1)
    for axis, (lo, hi) in enumerate(axis_ranges(extent, dim)):
        x = pts[:, axis]
        with np.errstate(invalid="ignore"):
            inside &= (x >= lo) & (x <= hi)
        idx = np.floor((np.where(inside, x, lo) - lo) / (hi - lo) * bins).astype(np.int64)
        flat = flat * bins + np.clip(idx, 0, bins - 1)  # x == hi goes into the last bin
    cells = bins**dim
    flat[~inside] = cells
    return np.bincount(flat, minlength=cells + 1).astype(np.float64)


def smooth(counts: np.ndarray, smoothing: float = SMOOTHING) -> np.ndarray:
    """Counts (or probabilities) -> probabilities mixed with ``smoothing`` of the uniform."""
    counts = np.asarray(counts, dtype=np.float64).ravel()
    total = counts.sum()
    if not total > 0:
        raise ValueError("a histogram needs at least one point")
    return (1.0 - smoothing) * counts / total + smoothing / counts.size


def kl(p: np.ndarray, q: np.ndarray) -> float:
    """KL(p || q) in nats for probability vectors; cells with p = 0 add nothing, q = 0 < p is inf."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    on = p > 0
    if np.any(q[on] <= 0):
        return float("inf")
    return max(0.0, float(np.sum(p[on] * np.log(p[on] / q[on]))))


def js(p: np.ndarray, q: np.ndarray) -> float:
    """Jensen-Shannon divergence in nats, in [0, ln 2]; symmetric and always finite."""
    p, q = np.asarray(p, dtype=np.float64), np.asarray(q, dtype=np.float64)
    m = (p + q) / 2
    return min(LN2, 0.5 * kl(p, m) + 0.5 * kl(q, m))


@dataclass(frozen=True)
class GridDivergence:
    kl: float  # KL(real || generated), nats
    js: float  # JS(real, generated), nats, <= ln 2


def divergences(real_counts: np.ndarray, fake_counts: np.ndarray, smoothing: float = SMOOTHING) -> GridDivergence:
    """KL and JS of two histograms (or exact cell probabilities) on the same cells, smoothed."""
    p, q = smooth(real_counts, smoothing), smooth(fake_counts, smoothing)
    if p.shape != q.shape:
        raise ValueError(f"histograms on different grids: {p.shape} vs {q.shape}")
    return GridDivergence(kl(p, q), js(p, q))


def grid_divergence(
    real, fake, extent: Sequence[float], bins: int | None = None, smoothing: float = SMOOTHING
) -> GridDivergence:
    """KL(real || fake) and JS between two point clouds on the fixed grid over ``extent``."""
    return divergences(histogram(real, extent, bins), histogram(fake, extent, bins), smoothing)


class GridReference:
    """The real side, histogrammed once: a live run then pays only for G's histogram."""

    def __init__(self, real, extent: Sequence[float], bins: int | None = None, smoothing: float = SMOOTHING) -> None:
        self.extent, self.bins, self.smoothing = tuple(float(v) for v in extent), bins, smoothing
        self.counts = histogram(real, self.extent, bins)
        self.size = int(self.counts.sum())

    def measure(self, fake) -> GridDivergence:
        return divergences(self.counts, histogram(fake, self.extent, self.bins), self.smoothing)


__all__ = [
    "BINS",
    "SMOOTHING",
    "LN2",
    "GridDivergence",
    "GridReference",
    "axis_ranges",
    "divergences",
    "grid_divergence",
    "histogram",
    "js",
    "kl",
    "smooth",
]
