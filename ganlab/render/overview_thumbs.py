"""The overview graph's live thumbnails: what each node of the GAN shows right now.

2D runs: the noise grid, G's manifold, the fakes and D's verdict on each sample;
1D runs: the densities and D beside D*; image runs: sample grids with each cell
framed by D's score. Each is a ``T`` x ``T`` Pillow image, cheap enough to redraw
on every refresh; :mod:`ganlab.render.overview` lays them out as a graph.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganlab.render.images import to_hwc
from ganlab.render.points import FAKE, GRID_LINE, REAL, Canvas
from ganlab.render.views import _surface_colours

T = 160  # thumbnail side
INK, MUTED = (30, 30, 30), (110, 110, 110)
MAX_DOTS = 400  # points drawn per thumbnail (enough to read, quick to draw)


# -- drawing helpers -----------------------------------------------------------------------


@lru_cache(maxsize=16)
def _font(size: int) -> ImageFont.ImageFont:
    """DejaVu Sans where the system has it (crisp on a projector), else Pillow's own font."""
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def draw_text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill=INK, anchor: str = "la") -> None:
    draw.text(xy, text, font=_font(size), fill=fill, anchor=anchor)


def score_colours(scores: np.ndarray) -> np.ndarray:
    """D's verdicts in [0, 1] -> RGB: purple (says fake) .. grey (unsure) .. green (says real);
    NaN (a diverged D) is mid grey."""
    s = np.asarray(scores, dtype=np.float64)[..., None]
    bad = ~np.isfinite(s)
    s = np.clip(np.nan_to_num(s, nan=0.5), 0, 1)
    mid = np.array([205.0, 205.0, 205.0])
    out = np.where(s < 0.5, np.array(FAKE) + 2 * s * (mid - np.array(FAKE)), mid + (2 * s - 1) * (np.array(REAL) - mid))
    out = np.where(bad, np.array([150.0, 150.0, 150.0]), out)
    return out.astype(np.uint8)


def _subsample(pts: np.ndarray, n: int = MAX_DOTS) -> np.ndarray:
    pts = np.asarray(pts)
    return pts[:: max(1, len(pts) // n)][:n] if len(pts) else pts


def blank(text: str = "") -> Image.Image:
    img = Image.new("RGB", (T, T), (245, 245, 245))
    if text:
        draw_text(ImageDraw.Draw(img), (T / 2, T / 2), text, 15, MUTED, "mm")
    return img


# -- thumbnails of a 2D run -------------------------------------------------------------


def _noise_thumb(lines: int = 9) -> Image.Image:
    """The noise as a regular lattice: what G's manifold thumbnail shows bent."""
    img = Image.new("RGB", (T, T), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for t in np.linspace(8, T - 8, lines):
        draw.line((8, t, T - 8, t), fill=(150, 150, 150))
        draw.line((t, 8, t, T - 8), fill=(150, 150, 150))
    return img


def _dots(views, pts: np.ndarray, colour) -> Image.Image:
    canvas = Canvas(views.extent, T)
    canvas.dots(_subsample(pts), colour, 1.8)
    return canvas.image


def _manifold_thumb(views) -> Image.Image:
    canvas = Canvas(views.extent, T)
    m = views.manifold
    for i in range(0, m.shape[0], 2):
        canvas.polyline(m[i], GRID_LINE)
        canvas.polyline(m[:, i], GRID_LINE)
    return canvas.image


def _verdict_thumb(views) -> Image.Image:
    """Each generated point coloured by D's verdict on it, over the real points in light grey."""
    canvas = Canvas(views.extent, T)
    canvas.dots(_subsample(views.real), (200, 200, 200), 1.5)
    if views.fake_score is None:
        canvas.dots(_subsample(views.fake), FAKE, 2.0)
        return canvas.image
    fake, colours = _subsample(views.fake), score_colours(_subsample(views.fake_score))
    for p, c in zip(fake, colours):
        canvas.dots(p[None], tuple(int(v) for v in c), 2.2)
    return canvas.image


def _curves(xs: np.ndarray, curves: list[tuple[np.ndarray, tuple, bool]], top: float | None = None) -> Image.Image:
    """Curves over a shared x axis in a thumbnail: (values, colour, dashed); ``top`` fixes the y scale."""
    img = Image.new("RGB", (T, T), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    peak = top or max(float(np.nanmax(c)) for c, _, _ in curves) or 1.0
    px = 6 + (xs - xs[0]) / max(1e-12, xs[-1] - xs[0]) * (T - 12)
    for values, colour, dashed in curves:
        py = T - 8 - np.clip(np.nan_to_num(values) / peak, 0, 1.05) * (T - 20)
        pts = list(zip(px.tolist(), py.tolist()))
        step = 6 if dashed else 1
        for i in range(0, len(pts) - 1, step):
            draw.line((*pts[i], *pts[min(i + (3 if dashed else 1), len(pts) - 1)]), fill=colour, width=2)
    return img


def _rug(xs: np.ndarray, samples: np.ndarray, colours) -> Image.Image:
    """1D samples as short vertical ticks, each in its own colour."""
    img = Image.new("RGB", (T, T), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    for i, (x, c) in enumerate(zip(_subsample(samples), colours)):
        px = 6 + (x - xs[0]) / max(1e-12, xs[-1] - xs[0]) * (T - 12)
        y = 30 + (i * 37) % (T - 60)
        draw.line((px, y, px, y + 24), fill=tuple(int(v) for v in c), width=2)
    return img


def density_thumbs(density) -> dict[str, Image.Image]:
    """The node pictures of a 1D run: densities, D(x) beside D*, and the fakes in D's verdict colours."""
    d, xs = density, density.xs
    fake = np.asarray(d.fake, dtype=np.float64).ravel()
    verdict = np.interp(fake, xs, np.asarray(d.d_curve, dtype=np.float64))
    return {
        "z": _noise_thumb(),
        "G": _curves(xs, [(d.p_g, FAKE, False)]),
        "fake": _rug(xs, fake, [FAKE] * len(fake)),
        "real": _curves(xs, [(d.p_data, REAL, False)]),
        "D": _curves(xs, [(d.d_curve, (59, 117, 175), False), (d.d_star, (230, 120, 20), True)], top=1.0),
        "verdicts": _rug(xs, fake, score_colours(_subsample(verdict))),
    }


def point_thumbs(snap, reference=None) -> dict[str, Image.Image]:
    """The node pictures of a 2D run (a 1D run: :func:`density_thumbs`)."""
    v = snap.points
    if v is None:
        density = getattr(snap, "density", None)
        return density_thumbs(density) if density is not None else {}
    surface = np.nan_to_num(np.asarray(v.surface, dtype=np.float64), nan=0.5)
    return {
        "z": _noise_thumb(),
        "G": _manifold_thumb(v),
        "fake": _dots(v, v.fake, FAKE),
        "real": _dots(v, v.real if reference is None else np.asarray(reference), REAL),
        "D": Image.fromarray(_surface_colours(surface)).resize((T, T), Image.BILINEAR),
        "verdicts": _verdict_thumb(v),
    }


# -- thumbnails of an image run ---------------------------------------------------------


def _grid(images, frames: np.ndarray | None = None, cols: int = 4) -> Image.Image:
    """Up to cols x cols images, each framed in its verdict colour (grey when not scored)."""
    img = Image.new("RGB", (T, T), (255, 255, 255))
    if images is None or len(images) == 0:
        return blank("no samples yet")
    cell, border = T // cols, 3
    pictures = to_hwc(images[: cols * cols])
    for i, pic in enumerate(pictures):
        x, y = (i % cols) * cell, (i // cols) * cell
        colour = (170, 170, 170) if frames is None or i >= len(frames) else tuple(int(c) for c in frames[i])
        ImageDraw.Draw(img).rectangle((x, y, x + cell - 1, y + cell - 1), fill=colour)
        tile = Image.fromarray(pic[..., 0] if pic.shape[-1] == 1 else pic).convert("RGB")
        img.paste(tile.resize((cell - 2 * border, cell - 2 * border), Image.NEAREST), (x + border, y + border))
    return img


def _noise_cells() -> Image.Image:
    rng = np.random.default_rng(0)  # fixed: the picture stands for "random numbers", it must not flicker
    cells = (rng.standard_normal((10, 10)) * 60 + 128).clip(0, 255).astype(np.uint8)
    return Image.fromarray(cells).resize((T, T), Image.NEAREST).convert("RGB")


def _funnel(widening: bool, colour) -> Image.Image:
    """A stylised network: layers as bars, narrow to wide for G (noise -> image), wide to narrow for D."""
    img = Image.new("RGB", (T, T), (255, 255, 255))
    draw = ImageDraw.Draw(img)
    heights = [30, 60, 95, 130] if widening else [130, 95, 60, 30]
    for i, h in enumerate(heights):
        x = 18 + i * 36
        draw.rectangle((x, (T - h) / 2, x + 22, (T + h) / 2), fill=colour)
    return img


def image_thumbs(snap, reference=None) -> dict[str, Image.Image]:
    """The node pictures of an image run."""
    real = getattr(snap, "real_samples", None)
    real = reference if real is None else real
    fake_scores, real_scores = getattr(snap, "fake_scores", None), getattr(snap, "real_scores", None)
    half = 8  # the verdict grid: two rows of fakes over two rows of real images
    mixed, frames = None, None
    if snap.samples is not None:
        mixed = snap.samples[:half] if real is None else _cat(snap.samples[:half], real[:half])
        fake_c = score_colours(fake_scores[:half]) if fake_scores is not None else np.full((half, 3), 170)
        real_c = score_colours(real_scores[:half]) if real_scores is not None else np.full((half, 3), 170)
        frames = np.concatenate([fake_c, real_c])
    return {
        "z": _noise_cells(),
        "G": _funnel(True, (190, 160, 205)),
        "D": _funnel(False, (160, 190, 220)),
        "fake": _grid(snap.samples, np.tile(np.array(FAKE), (16, 1))),
        "real": _grid(real, np.tile(np.array(REAL), (16, 1))) if real is not None else blank("no real images"),
        "verdicts": _grid(mixed, frames),
    }


def _cat(fake, real):
    import torch

    return torch.cat([fake.float().cpu(), real.float().cpu()])


THUMBS: dict[str, Callable[[Any, Any], dict[str, Image.Image]]] = {"points": point_thumbs, "image": image_thumbs}
