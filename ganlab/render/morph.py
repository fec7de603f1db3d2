"""The manifold morph: G's warp of the noise lattice, animated from t = 0 (the grid) to t = 1.

At time ``t`` each lattice point sits at ``(1 - t) z + t G(z)`` (a straight line from its noise
coordinates to where G sends it). Each cell is shaded by how much it has been stretched or
squeezed: its signed area divided by the noise cell's area, relative to the typical cell (their
geometric mean), on a log scale. Stretched cells (blue) are where G spreads its samples thin; squeezed cells (purple,
G's colour) are where many samples pile up; a cell whose orientation flips against the majority
has folded over (red): G maps two regions of noise onto the same place there.
"""

from __future__ import annotations

import numpy as np
from PIL import Image, ImageDraw

from ganlab.families.gan.probes import PointViews
from ganlab.render.gif import gif_bytes
from ganlab.render.points import FAKE, GRID_LINE, REAL, Canvas
from ganlab.render.views import _label

STRETCH = (49, 130, 189)  # blue: stretched, samples spread thin
SQUEEZE = FAKE  # purple: squeezed, samples pile up
FOLD = (214, 39, 40)  # red: the cell folded over
FULL_LOG2 = 2.0  # full colour at 4x the typical cell's area (or 1/4)
MAX_ALPHA = 150  # of 255: the real points stay visible under the shading


def morph_lattice(lattice: np.ndarray, manifold: np.ndarray, t: float) -> np.ndarray:
    """The lattice a fraction ``t`` of the way to G's manifold (t = 0: the noise grid, 1: G's)."""
    if not 0.0 <= float(t) <= 1.0:
        raise ValueError(f"t must be in [0, 1], got {t}")
    lattice, manifold = np.asarray(lattice, dtype=np.float64), np.asarray(manifold, dtype=np.float64)
    if lattice.shape != manifold.shape or lattice.ndim != 3 or lattice.shape[-1] != 2:
        raise ValueError(f"lattice {lattice.shape} and manifold {manifold.shape} must both be (L, L, 2)")
    return (1.0 - t) * lattice + t * manifold


def signed_areas(grid: np.ndarray) -> np.ndarray:
    """(L-1, L-1) signed areas of the quads of an (L, L, 2) grid (the shoelace formula on the
    diagonals); positive for the lattice's own orientation, negative where a cell flipped."""
    a, b = grid[:-1, :-1], grid[:-1, 1:]  # corner (i, j), then along the row (the first noise axis)
    c, d = grid[1:, 1:], grid[1:, :-1]
    p, q = c - a, d - b
    return 0.5 * (p[..., 0] * q[..., 1] - p[..., 1] * q[..., 0])


def area_ratio(lattice: np.ndarray, grid: np.ndarray) -> np.ndarray:
    """Each cell's signed area over its noise cell's area (G's local Jacobian determinant)."""
    return signed_areas(np.asarray(grid, dtype=np.float64)) / signed_areas(np.asarray(lattice, dtype=np.float64))


def relative_stretch(ratio: np.ndarray) -> np.ndarray:
    """|ratio| over the typical cell's (the geometric mean over cells of non-zero area):
    > 1 stretched (samples thin), < 1 squeezed (pile-up). Relative, because the noise and data
    windows differ in size: the shading shows where G spreads more or less than its typical cell,
    not the change of units; the geometric mean centres the log scale, so a map that stretches half
    the cells 4x reads as 2x and 1/2. All ones for a degenerate map (every cell of zero area)."""
    size = np.abs(np.asarray(ratio, dtype=np.float64))
    good = np.isfinite(size) & (size > 1e-12)
    if not good.any():
        return np.ones_like(size)
    return size / float(np.exp(np.log(size[good]).mean()))


def folded(ratio: np.ndarray) -> np.ndarray:
    """Cells whose orientation is against the majority's (the grid folded over there)."""
    majority = np.sign(np.median(ratio))
    return (np.sign(ratio) != majority) & (majority != 0) & (ratio != 0)


def cell_colours(ratio: np.ndarray) -> np.ndarray:
    """(L-1, L-1, 4) RGBA per cell: blue stretched, purple squeezed, red folded, clear unchanged."""
    with np.errstate(divide="ignore"):
        level = np.clip(np.log2(relative_stretch(ratio)) / FULL_LOG2, -1.0, 1.0)
    level = np.nan_to_num(level, nan=0.0)
    rgb = np.where(level[..., None] >= 0, np.array(STRETCH), np.array(SQUEEZE))
    alpha = np.abs(level) * MAX_ALPHA
    fold = folded(ratio)
    rgb[fold], alpha[fold] = FOLD, MAX_ALPHA
    return np.concatenate([rgb, alpha[..., None]], axis=-1).astype(np.uint8)


def morph_extent(views: PointViews, margin: float = 0.05) -> tuple[float, float, float, float]:
    """A square window holding the run's view and the whole noise lattice, fixed for every t."""
    x0, x1, y0, y1 = views.extent
    lat = _lattice(views).reshape(-1, 2)
    lo = np.minimum([x0, y0], lat.min(axis=0))
    hi = np.maximum([x1, y1], lat.max(axis=0))
    centre, half = (lo + hi) / 2, float((hi - lo).max()) / 2 * (1 + margin)
    return (centre[0] - half, centre[0] + half, centre[1] - half, centre[1] + half)


def _lattice(views: PointViews) -> np.ndarray:
    if views.lattice is None or np.asarray(views.manifold).shape[-1] != 2:
        raise ValueError("the manifold morph needs 2D data and the noise lattice (PointViews.lattice)")
    return np.asarray(views.lattice, dtype=np.float64)


def morph_view(views: PointViews, t: float, size: int = 512, show_real: bool = True) -> np.ndarray:
    """The noise grid ``t`` of the way to G's manifold, cells shaded by stretch, over the real points
    (unless the *real points* layer is off: ``show_real``)."""
    lattice = _lattice(views)
    grid = morph_lattice(lattice, views.manifold, t)
    extent = morph_extent(views)
    canvas = Canvas(extent, size)
    if show_real:
        canvas.dots(views.real, tuple(int(c * 0.4 + 255 * 0.6) for c in REAL), max(1.5, size / 256))
    overlay = Image.new("RGBA", (size, size), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    ratio = area_ratio(lattice, grid)
    colours, corners = cell_colours(ratio), canvas.px(grid)
    order = np.argsort(-np.nan_to_num(relative_stretch(ratio), nan=1.0), axis=None)  # big cells first:
    for i, j in zip(*np.unravel_index(order, ratio.shape)):  # small squeezed ones stay on top
        quad = corners[[i, i, i + 1, i + 1], [j, j + 1, j + 1, j]]
        if colours[i, j, 3] and np.isfinite(quad).all():
            draw.polygon([tuple(p) for p in quad], fill=tuple(int(v) for v in colours[i, j]))
    shaded = Image.alpha_composite(canvas.image.convert("RGBA"), overlay).convert("RGB")
    canvas = Canvas(extent, size, shaded)
    for k in range(grid.shape[0]):
        canvas.polyline(grid[k], GRID_LINE)
        canvas.polyline(grid[:, k], GRID_LINE)
    return canvas.array()


def morph_gif(views: PointViews, frames: int = 24, size: int = 320, seconds: float = 3.0, hold_ms: int = 1500) -> bytes:
    """The morph as a looping GIF: ``frames`` frames from t = 0 to t = 1, lingering ``hold_ms`` at 1."""
    if frames < 2:
        raise ValueError(f"a morph needs at least 2 frames, got {frames}")
    images = [_label(morph_view(views, float(t), size), f"t = {t:.2f}") for t in np.linspace(0, 1, frames)]
    step_ms = max(20, int(1000 * seconds / (frames - 1)))
    return gif_bytes(images, [step_ms] * (frames - 1) + [hold_ms])


__all__ = [
    "area_ratio",
    "cell_colours",
    "folded",
    "morph_extent",
    "morph_gif",
    "morph_lattice",
    "morph_view",
    "relative_stretch",
    "signed_areas",
]
