"""Pictures of a run as numpy/PIL images: sample grids, GAN Lab's 2D views, timelapse GIFs.

Drawn with numpy and Pillow (no matplotlib), so a frame costs a few
milliseconds and the live views keep up with training. Colours follow GAN
Lab: real data green, generated data purple; D's decision surface is green
where D says "real" and purple where it says "fake".
"""

from __future__ import annotations

import io
import math
from pathlib import Path
from typing import Iterable, Sequence

import numpy as np
import torch
from PIL import Image, ImageDraw

from ganlab.families.gan.probes import PointViews

REAL = (27, 158, 119)
FAKE = (123, 50, 148)
GRID_LINE = (60, 60, 60)
ARROW = (230, 120, 20)
LAYERS = ("surface", "real", "fake", "arrows")  # what points_view draws by default


# -- image grids -------------------------------------------------------------------------

def to_uint8(images: torch.Tensor) -> torch.Tensor:
    """Float images in [-1, 1] -> uint8 in [0, 255] (already uint8 passes through)."""
    if images.dtype == torch.uint8:
        return images
    return ((images.detach().float().cpu().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8)


def image_grid(samples: torch.Tensor, nrow: int | None = None, target_px: int = 512,
               pad: int = 2) -> np.ndarray:
    """A (H, W, 3) uint8 grid of (N, C, H, W) samples, upscaled (nearest) to about ``target_px``."""
    from torchvision.utils import make_grid  # imported on first use: keeps app start-up light

    images = to_uint8(samples)
    if images.shape[1] == 1:
        images = images.expand(-1, 3, -1, -1)
    nrow = nrow or max(1, int(math.ceil(math.sqrt(images.shape[0]))))
    grid = make_grid(images, nrow=nrow, padding=pad, pad_value=255)  # (3, H, W) uint8
    array = grid.permute(1, 2, 0).numpy()
    factor = max(1, target_px // max(array.shape[:2]))
    if factor > 1:
        array = array.repeat(factor, axis=0).repeat(factor, axis=1)
    return np.ascontiguousarray(array)


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


class _Canvas:
    """Maps data coordinates onto a square image of ``size`` pixels."""

    def __init__(self, extent: Sequence[float], size: int, background: np.ndarray | None = None):
        self.x0, self.x1, self.y0, self.y1 = extent
        self.size = size
        if background is None:
            self.image = Image.new("RGB", (size, size), (255, 255, 255))
        else:
            self.image = Image.fromarray(background).resize((size, size), Image.BILINEAR)
        self.draw = ImageDraw.Draw(self.image)

    def px(self, pts: np.ndarray) -> np.ndarray:
        pts = np.asarray(pts, dtype=np.float64)
        x = (pts[..., 0] - self.x0) / (self.x1 - self.x0) * (self.size - 1)
        y = (self.y1 - pts[..., 1]) / (self.y1 - self.y0) * (self.size - 1)
        return np.stack([x, y], axis=-1)

    def dots(self, pts: np.ndarray, colour, radius: float) -> None:
        for x, y in self.px(pts):
            if math.isfinite(x) and math.isfinite(y):
                self.draw.ellipse((x - radius, y - radius, x + radius, y + radius), fill=colour)

    def polyline(self, pts: np.ndarray, colour, width: int = 1) -> None:
        xy = [(float(x), float(y)) for x, y in self.px(pts) if math.isfinite(x) and math.isfinite(y)]
        if len(xy) > 1:
            self.draw.line(xy, fill=colour, width=width)

    def arrows(self, start: np.ndarray, direction: np.ndarray, colour) -> None:
        norms = np.linalg.norm(direction, axis=1)
        top = float(np.nanmax(norms)) if len(norms) else 0.0
        if not math.isfinite(top) or top <= 0:
            return
        length = 0.08 * (self.x1 - self.x0) / top  # the longest arrow spans 8 % of the view
        a, b = self.px(start), self.px(start + direction * length)
        for (x0, y0), (x1, y1) in zip(a, b):
            if not all(map(math.isfinite, (x0, y0, x1, y1))):
                continue
            self.draw.line((x0, y0, x1, y1), fill=colour, width=2)
            angle = math.atan2(y1 - y0, x1 - x0)
            for side in (2.6, -2.6):
                self.draw.line((x1, y1, x1 + 5 * math.cos(angle + side), y1 + 5 * math.sin(angle + side)),
                               fill=colour, width=2)

    def array(self) -> np.ndarray:
        return np.asarray(self.image)


def points_view(views: PointViews, layers: Iterable[str] = LAYERS, size: int = 512) -> np.ndarray:
    """GAN Lab's main view: D's decision surface, real (green) and generated (purple) points,
    and arrows showing where G's gradient pushes each generated point."""
    layers = set(layers)
    background = _surface_colours(views.surface) if "surface" in layers else None
    canvas = _Canvas(views.extent, size, background)
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


def _draw_manifold(canvas: _Canvas, manifold: np.ndarray) -> None:
    for i in range(manifold.shape[0]):
        canvas.polyline(manifold[i], GRID_LINE)
        canvas.polyline(manifold[:, i], GRID_LINE)


def manifold_view(views: PointViews, size: int = 512) -> np.ndarray:
    """G's manifold: a square grid of noise as G bends it into data space, over the real data."""
    canvas = _Canvas(views.extent, size)
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
    """One timelapse frame: a grid for uint8 image samples, the 2D view for points."""
    if isinstance(payload, PointViews):
        return points_view(payload, ("surface", "real", "fake"), size=size)
    return image_grid(payload, target_px=size)


def timelapse_gif(frames: Sequence[tuple[int, object]], path: str | Path | None = None,
                  size: int = 320, seconds: float = 6.0) -> bytes:
    """An animated GIF of the run (one frame per recorded step); written to ``path`` if given."""
    if not frames:
        raise ValueError("no frames recorded yet: train for a few steps first")
    images = [_label(render_frame(payload, size), f"step {step}") for step, payload in frames]
    duration = max(40, int(1000 * seconds / len(images)))
    out = io.BytesIO()
    durations = [duration] * (len(images) - 1) + [1500]  # linger on the last frame
    images[0].save(out, format="GIF", save_all=True, append_images=images[1:], duration=durations,
                   loop=0, optimize=False)
    data = out.getvalue()
    if path is not None:
        from ganlab.engine.checkpoints import atomic_write_bytes  # a killed export never leaves half a GIF
        atomic_write_bytes(Path(path), data)
    return data
