"""A drawing as a 2D data set: every inked pixel becomes a point.

GAN Lab's best classroom moment is "draw a distribution, watch G chase it".
The UI hands over the canvas as an array; this turns it into points in
[-1, 1]² (y up, aspect kept) and writes them as the same ``x,y`` CSV a user
could upload, so a drawn run saves, resumes and samples like any CSV run.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np

from ganlab.errors import GanLabError

MIN_INKED_PIXELS = 30  # fewer than this is a dot, not a distribution
MAX_POINTS = 4000
INK_ALPHA = 64  # alpha above this is ink (on a transparent canvas)
INK_GRAY = 128  # gray below this is ink (on an opaque light canvas)


def ink_mask(image: np.ndarray) -> np.ndarray:
    """Which pixels were drawn on: opaque pixels of a transparent canvas, else dark ones."""
    image = np.asarray(image)
    if image.ndim not in (2, 3) or image.shape[0] < 2 or image.shape[1] < 2:
        raise GanLabError(f"drawing: expected an image, got an array of shape {image.shape}")
    if image.ndim == 3 and image.shape[2] == 4:
        alpha = image[..., 3]
        if alpha.min() < INK_ALPHA:  # a transparent background: strokes are what is opaque
            return alpha > INK_ALPHA
        image = image[..., :3]
    gray = image if image.ndim == 2 else image[..., :3].mean(axis=2)
    return gray < INK_GRAY


def points_from_drawing(image: np.ndarray, max_points: int = MAX_POINTS, seed: int = 0) -> np.ndarray:
    """Inked pixels as (n, 2) float32 points in [-1, 1]², y up; jittered within each pixel so the
    data are not a lattice, and subsampled to ``max_points`` (same drawing and seed: same points)."""
    mask = ink_mask(image)
    rows, cols = np.nonzero(mask)
    if len(rows) < MIN_INKED_PIXELS:
        raise GanLabError(
            f"drawing: only {len(rows)} pixels are drawn on; draw some strokes or blobs "
            f"(at least {MIN_INKED_PIXELS} pixels) before training"
        )
    if len(rows) == mask.size:
        raise GanLabError("drawing: the whole canvas is ink; draw shapes on an empty canvas")
    rng = np.random.default_rng(seed)
    if len(rows) > max_points:
        keep = rng.choice(len(rows), size=max_points, replace=False)
        rows, cols = rows[keep], cols[keep]
    height, width = mask.shape
    scale = max(height, width) / 2  # one scale for both axes keeps circles round
    x = (cols + rng.random(len(cols)) - width / 2) / scale
    y = (height / 2 - rows - rng.random(len(rows))) / scale
    return np.stack([x, y], axis=1).astype(np.float32)


def drawing_to_csv(image: np.ndarray, folder: Path, seed: int = 0, keep: int = 500) -> Path:
    """Write a drawing's points as ``x,y`` CSV in ``folder``; the name is the content's hash, so
    redrawing the same picture reuses the file. Only the ``keep`` newest drawings stay (a public
    Space sees many; a run reads its file once, when it starts)."""
    points = points_from_drawing(image, seed=seed)
    text = "x,y\n" + "".join(f"{x:.5f},{y:.5f}\n" for x, y in points)
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"drawing-{digest}.csv"
    if not path.exists():
        tmp = path.with_suffix(".tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
        _prune(folder, keep)
    return path


def _prune(folder: Path, keep: int) -> None:
    drawings = sorted(folder.glob("drawing-*.csv"), key=lambda p: p.stat().st_mtime, reverse=True)
    for old in drawings[keep:]:
        old.unlink(missing_ok=True)
