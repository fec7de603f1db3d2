"""Pictures of a GAN run: GAN Lab's 2D views and the timelapse GIF (grids: render.images).

Drawn with numpy and Pillow (no matplotlib), so a frame costs a few
milliseconds and the live views keep up with training. D's decision surface
is green where D says "real" and purple where it says "fake".
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
from PIL import Image, ImageDraw

from ganlab.families.gan.probes import PointViews
from ganlab.families.gan.probes1d import Density1D
from ganlab.render.density1d import density_view
from ganlab.render.gif import gif_bytes, write_gif
from ganlab.render.images import image_grid
from ganlab.render.points import ARROW, FAKE, GRID_LINE, REAL, Canvas

LAYERS = ("surface", "real", "fake", "arrows")  # what points_view draws by default
__all__ = [
    "ARROW",
    "FAKE",
    "LAYERS",
    "REAL",
    "density_view",
    "manifold_view",
    "points_view",
    "render_frame",
    "timelapse_gif",
]


# -- 2D views ----------------------------------------------------------------------------


def _surface_colours(surface: np.ndarray) -> np.ndarray:
    """D(x) in [0, 1] -> RGB: purple (fake) .. white (0.5) .. green (real), kept light."""
    s = np.clip(surface, 0, 1)[..., None]
    white = np.array([255.0, 255.0, 255.0])
    real = white + 0.45 * (np.array(REAL) - white)
    fake = white + 0.45 * (np.array(FAKE) - white)
    upper = white + (s - 0.5) * 2 * (real - white)
    lower = fake + s * 2 * (white - fake)
    return np.where(s >= 0.5, upper, lower).astype(np.uint8)


def points_view(views: PointViews, layers: Iterable[str] = LAYERS, size: int = 512) -> np.ndarray:
    """GAN Lab's main view: D's decision surface, real (green) and generated (purple) points,
    and arrows showing where G's gradient pushes each generated point."""
    layers = set(layers)
    background = _surface_colours(views.surface) if "surface" in layers else None
    canvas = Canvas(views.extent, size, background)
    radius = max(1.5, size / 256)
    if "manifold" in layers:
        _draw_manifold(canvas, views.manifold)
    if "real" in layers:
        canvas.dots(views.real, REAL, radius)
    if "fake" in layers:
        canvas.dots(views.fake, FAKE, radius)
    if "arrows" in layers:
        canvas.arrows(views.arrow_from, views.arrow_dir, ARROW)
    return canvas.array()


def _draw_manifold(canvas: Canvas, manifold: np.ndarray) -> None:
    for i in range(manifold.shape[0]):
        canvas.polyline(manifold[i], GRID_LINE)
        canvas.polyline(manifold[:, i], GRID_LINE)


def manifold_view(views: PointViews, size: int = 512) -> np.ndarray:
    """G's manifold: a square grid of noise as G bends it into data space, over the real data."""
    canvas = Canvas(views.extent, size)
    canvas.dots(views.real, tuple(int(c * 0.4 + 255 * 0.6) for c in REAL), max(1.5, size / 256))
    _draw_manifold(canvas, views.manifold)
    return canvas.array()


# -- timelapse ---------------------------------------------------------------------------


def _label(image: np.ndarray, text: str) -> Image.Image:
    frame = Image.fromarray(image)
    draw = ImageDraw.Draw(frame)
    draw.rectangle((0, 0, 8 + 7 * len(text), 16), fill=(255, 255, 255))
    draw.text((4, 3), text, fill=(0, 0, 0))
    return frame


def render_frame(payload, size: int = 320) -> np.ndarray:
    """One timelapse frame: a grid for uint8 image samples, the 2D view for points, the density
    chart for 1D points."""
    if isinstance(payload, Density1D):
        return density_view(payload, width=size * 3 // 2, height=size)
    if isinstance(payload, PointViews):
        return points_view(payload, ("surface", "real", "fake"), size=size)
    return image_grid(payload, target_px=size)


def timelapse_gif(
    frames: Sequence[tuple[int, object]], path: str | Path | None = None, size: int = 320, seconds: float = 6.0
) -> bytes:
    """An animated GIF of the run (one frame per recorded step); written to ``path`` if given."""
    if not frames:
        raise ValueError("no frames recorded yet: train for a few steps first")
    images = [_label(render_frame(payload, size), f"step {step}") for step, payload in frames]
    duration = max(40, int(1000 * seconds / len(images)))
    data = gif_bytes(images, [duration] * (len(images) - 1) + [1500])  # linger on the last frame
    if path is not None:
        write_gif(data, path)
    return data
