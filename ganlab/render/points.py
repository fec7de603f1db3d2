"""2D canvases: the one way data coordinates become pixels, and the point pictures drawn on it.

Colours follow GAN Lab: real data green, generated data purple. Drawn with
Pillow (no matplotlib) so a frame costs milliseconds.
"""

from __future__ import annotations

import math
from typing import Sequence

import numpy as np
import torch
from PIL import Image, ImageDraw

REAL = (27, 158, 119)
FAKE = (123, 50, 148)
GRID_LINE = (60, 60, 60)
ARROW = (230, 120, 20)
Colour = tuple[int, int, int]


def as_2d(points: torch.Tensor) -> torch.Tensor:
    """1D points (N, 1) as (x, 0) on the 2D canvas, so a 1D model draws on the same number line in
    Explore and Interpolate; 2D points unchanged."""
    if points.dim() == 2 and points.shape[1] == 1:
        return torch.cat([points, torch.zeros_like(points)], dim=1)
    return points


def square_extent(half: float) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of a square view centred on the origin."""
    return -half, half, -half, half


def fit_extent(clouds: Sequence[torch.Tensor], margin: float) -> float:
    """Half-width of a centred square holding the finite points of ``clouds`` (at least 1), times ``margin``."""
    if not clouds:
        return margin
    every = torch.cat(list(clouds))
    finite = every[torch.isfinite(every).all(dim=1)]
    return float(finite.abs().max().clamp(min=1.0)) * margin if len(finite) else 1.0


class Canvas:
    """Maps data coordinates (``extent`` = x0, x1, y0, y1) onto a square image of ``size`` pixels."""

    def __init__(self, extent: Sequence[float], size: int, background: np.ndarray | Image.Image | None = None):
        self.x0, self.x1, self.y0, self.y1 = (float(v) for v in extent)
        self.size = size
        if background is None:
            self.image = Image.new("RGB", (size, size), (255, 255, 255))
        elif isinstance(background, Image.Image):
            self.image = background.copy()
        else:
            self.image = Image.fromarray(background).resize((size, size), Image.BILINEAR)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, pts: np.ndarray | torch.Tensor) -> np.ndarray:
        pts = np.asarray(pts, dtype=np.float64)
        x = (pts[..., 0] - self.x0) / (self.x1 - self.x0) * (self.size - 1)
        y = (self.y1 - pts[..., 1]) / (self.y1 - self.y0) * (self.size - 1)
        return np.stack([x, y], axis=-1)

    def _finite_px(self, pts) -> list[tuple[float, float]]:
        return [(float(x), float(y)) for x, y in self.px(pts) if math.isfinite(x) and math.isfinite(y)]

    def dots(self, pts, colour: Colour, radius: float) -> None:
        for x, y in self._finite_px(pts):
            self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)

    def rings(self, pts, colour: Colour, radius: float, width: int = 2) -> None:
        for x, y in self._finite_px(pts):
            self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), outline=colour, width=width)

    def polyline(self, pts, colour: Colour, width: int = 1) -> None:
        xy = self._finite_px(pts)
        if len(xy) > 1:
            self.draw.line(xy, fill=colour, width=width)

    def arrows(self, start: np.ndarray, direction: np.ndarray, colour: Colour) -> None:
        """Arrows from ``start`` along ``direction``; the longest spans 8 % of the view."""
        norms = np.linalg.norm(direction, axis=1)
        top = float(np.nanmax(norms)) if len(norms) else 0.0
        if not math.isfinite(top) or top <= 0:
            return
        length = 0.08 * (self.x1 - self.x0) / top
        a, b = self.px(start), self.px(start + direction * length)
        for (x0, y0), (x1, y1) in zip(a, b):
            if not all(map(math.isfinite, (x0, y0, x1, y1))):
                continue
            self.draw.line((x0, y0, x1, y1), fill=colour, width=2)
            angle = math.atan2(y1 - y0, x1 - x0)
            for side in (2.6, -2.6):
                self.draw.line(
                    (x1, y1, x1 + 5 * math.cos(angle + side), y1 + 5 * math.sin(angle + side)), fill=colour, width=2
                )

    def array(self) -> np.ndarray:
        return np.asarray(self.image)


PATH = (230, 110, 20)
START, END, CURRENT = (40, 160, 60), (200, 40, 40), (20, 20, 20)


def draw_path(canvas: Canvas, points, path: bool = False, current: int | None = None) -> None:
    """Points in order (a path in latent space seen in data space): joined when ``path``, the start
    green, the end red and ``current`` (an animation's frame) black."""
    xy = canvas._finite_px(points)
    if path and len(xy) > 1:
        canvas.draw.line(xy, fill=PATH, width=3)
    for i, (x, y) in enumerate(xy):
        r, colour = (5 if path else 8), PATH
        if path and i == 0:
            r, colour = 8, START
        elif path and i == len(xy) - 1:
            r, colour = 8, END
        if current is not None and i == current:
            r, colour = 10, CURRENT
        canvas.draw.ellipse((x - r, y - r, x + r, y + r), fill=colour)


def clouds_image(
    fake: torch.Tensor, real: torch.Tensor | None = None, size: int = 480, extent: float | None = None
) -> Image.Image:
    """Real (green, drawn larger, underneath) and generated (purple) 2D points on a square canvas;
    a tight real cluster shows as a green halo around G's samples (``samples.png`` of a 2D run)."""
    if extent is None:
        extent = fit_extent([p for p in (real, fake) if p is not None and len(p)], 1.15)
    canvas = Canvas(square_extent(extent), size)
    for cloud, colour, radius in ((real, REAL, 3), (fake, FAKE, 1.5)):
        if cloud is not None:
            canvas.dots(cloud, colour, radius)
    return canvas.image
