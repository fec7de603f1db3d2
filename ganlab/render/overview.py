"""The model overview graph: how data flows through a GAN, drawn with the run's live pictures.

noise z -> G -> fake samples -> D <- real samples; D -> verdicts -> D loss and G loss, and
dashed gradient arrows back from each loss to the network it updates. Every node shows
the current state (2D runs: G's manifold, the fakes, D's surface, each sample coloured by
D's verdict; image runs: sample grids with each cell framed by D's score), so a class
can follow one step of training on a projector. Pillow only: a frame costs tens of ms.
"""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Callable

import numpy as np
from PIL import Image, ImageDraw, ImageFont

from ganlab.render.images import to_hwc
from ganlab.render.points import FAKE, GRID_LINE, REAL, Canvas
from ganlab.render.views import _surface_colours

BASE = (1280, 720)  # the layout's own size; other sizes are resized from it
T = 160  # thumbnail side
D_BLUE, G_ORANGE, INK, MUTED = (59, 117, 175), (239, 134, 54), (30, 30, 30), (110, 110, 110)
DIVERGED = (200, 40, 40)
MAX_DOTS = 400  # points drawn per thumbnail (enough to read, quick to draw)
# where each node sits (x0, y0, x1, y1) in BASE pixels
NODES = {
    "z": (20, 135, 180, 295),
    "G": (210, 125, 390, 305),
    "fake": (430, 135, 590, 295),
    "real": (430, 445, 590, 605),
    "D": (630, 280, 810, 460),
    "verdicts": (855, 290, 1015, 450),
    "g_loss": (1045, 205, 1265, 300),
    "d_loss": (1045, 440, 1265, 535),
}
LABELS = {
    "z": "noise z",
    "G": "G  generator",
    "fake": "fake samples G(z)",
    "real": "real samples x",
    "D": "D  discriminator",
    "verdicts": "D's verdicts",
}


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


def _text(draw: ImageDraw.ImageDraw, xy, text: str, size: int, fill=INK, anchor: str = "la") -> None:
    draw.text(xy, text, font=_font(size), fill=fill, anchor=anchor)


def _line(
    draw: ImageDraw.ImageDraw,
    pts: list[tuple[float, float]],
    colour,
    width: int = 3,
    dashed: bool = False,
    head: bool = True,
) -> None:
    """A polyline (dashed: 12 px on, 8 off) ending in an arrow head."""
    for (x0, y0), (x1, y1) in zip(pts, pts[1:]):
        if not dashed:
            draw.line((x0, y0, x1, y1), fill=colour, width=width)
            continue
        length = math.hypot(x1 - x0, y1 - y0)
        for start in np.arange(0, length, 20.0):
            a, b = start / length, min(start + 12, length) / length
            draw.line(
                (x0 + a * (x1 - x0), y0 + a * (y1 - y0), x0 + b * (x1 - x0), y0 + b * (y1 - y0)),
                fill=colour,
                width=width,
            )
    if head and len(pts) > 1:
        (x0, y0), (x1, y1) = pts[-2], pts[-1]
        angle = math.atan2(y1 - y0, x1 - x0)
        tip = [(x1, y1)] + [(x1 - 14 * math.cos(angle + s), y1 - 14 * math.sin(angle + s)) for s in (0.45, -0.45)]
        draw.polygon(tip, fill=colour)


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


def _blank(text: str = "") -> Image.Image:
    img = Image.new("RGB", (T, T), (245, 245, 245))
    if text:
        _text(ImageDraw.Draw(img), (T / 2, T / 2), text, 15, MUTED, "mm")
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
        return _blank("no samples yet")
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
        "real": _grid(real, np.tile(np.array(REAL), (16, 1))) if real is not None else _blank("no real images"),
        "verdicts": _grid(mixed, frames),
    }


def _cat(fake, real):
    import torch

    return torch.cat([fake.float().cpu(), real.float().cpu()])


THUMBS: dict[str, Callable[[Any, Any], dict[str, Image.Image]]] = {"points": point_thumbs, "image": image_thumbs}


# -- the graph ---------------------------------------------------------------------------


def _latest(snap) -> dict[str, float]:
    """The last step's losses and mean verdicts (empty before the first step)."""
    from ganlab.families.gan.health import COL

    history = snap.history
    if history is None or not len(history):
        return {}
    row = history[-1]
    return {k: float(row[COL[k]]) for k in ("d_loss", "g_loss", "d_real", "d_fake")}


def _fmt(value: float | None) -> str:
    if value is None:
        return "--"
    if not math.isfinite(value):
        return "NaN" if math.isnan(value) else ("+inf" if value > 0 else "-inf")
    return f"{value:.3f}" if abs(value) < 1000 else f"{value:.3g}"


def _nodes(img: Image.Image, draw: ImageDraw.ImageDraw, thumbs: dict[str, Image.Image]) -> None:
    """Each node's picture (networks in a coloured box) and its label above it."""
    for name, label in LABELS.items():
        x0, y0, x1, y1 = NODES[name]
        if name in ("G", "D"):
            draw.rounded_rectangle(
                (x0, y0, x1, y1), 14, fill=(255, 255, 255), outline=G_ORANGE if name == "G" else D_BLUE, width=5
            )
        pic = thumbs.get(name) or _blank("--")
        px, py = (x0 + x1 - T) // 2, (y0 + y1 - T) // 2
        img.paste(pic, (px, py))
        if name not in ("G", "D"):
            draw.rectangle((px - 1, py - 1, px + T, py + T), outline=(190, 190, 190))
        _text(draw, ((x0 + x1) / 2, y0 - 8), label, 19, INK, "md")


def _flow(draw: ImageDraw.ImageDraw) -> None:
    """The forward arrows (data) and the dashed gradient arrows (learning)."""
    grey = (80, 80, 80)
    _line(draw, [(180, 215), (208, 215)], grey)
    _line(draw, [(390, 215), (428, 215)], grey)
    _line(draw, [(590, 215), (690, 215), (690, 278)], grey)
    _line(draw, [(590, 525), (670, 525), (670, 462)], grey)
    _line(draw, [(810, 370), (853, 370)], grey)
    _line(draw, [(1015, 340), (1030, 340), (1030, 252), (1043, 252)], grey)
    _line(draw, [(1015, 400), (1030, 400), (1030, 487), (1043, 487)], grey)
    _line(draw, [(1160, 203), (1160, 95), (300, 95), (300, 121)], G_ORANGE, 4, dashed=True)
    _text(draw, (730, 88), "gradients of G's loss flow back through D (held fixed) and update G", 17, G_ORANGE, "md")
    _line(draw, [(1160, 537), (1160, 660), (770, 660), (770, 464)], D_BLUE, 4, dashed=True)
    _text(draw, (965, 652), "gradients of D's loss update D", 17, D_BLUE, "md")


def _losses(draw: ImageDraw.ImageDraw, latest: dict[str, float]) -> None:
    for key, title, note, colour in (
        ("g_loss", "G loss", "wants D(fake) -> 1", G_ORANGE),
        ("d_loss", "D loss", "wants real -> 1, fake -> 0", D_BLUE),
    ):
        x0, y0, x1, y1 = NODES[key]
        draw.rounded_rectangle((x0, y0, x1, y1), 12, fill=(255, 255, 255), outline=colour, width=4)
        _text(draw, (x0 + 14, y0 + 10), title, 20, colour)
        value = latest.get(key)
        bad = value is not None and not math.isfinite(value)
        _text(draw, (x1 - 14, y0 + 8), _fmt(value), 30, DIVERGED if bad else INK, "ra")
        _text(draw, (x0 + 12, y1 - 12), note, 14, MUTED, "ld")


def _legend(draw: ImageDraw.ImageDraw, snap, latest: dict[str, float]) -> None:
    """The verdict colour bar, the mean verdicts, mode or class coverage."""
    x0, _, x1, y1 = NODES["verdicts"]
    bar = score_colours(np.linspace(0, 1, x1 - x0))
    for i, c in enumerate(bar):
        draw.line((x0 + i, y1 + 8, x0 + i, y1 + 20), fill=tuple(int(v) for v in c))
    _text(draw, (x0, y1 + 24), "says fake", 14, MUTED)
    _text(draw, (x1, y1 + 24), "says real", 14, MUTED, "ra")
    if snap.data_kind == "image":
        _text(draw, ((x0 + x1) / 2, y1 + 44), "top: fakes, bottom: real", 14, MUTED, "ma")
    real, fake = _mean_verdicts(snap, latest)
    lines = [f"D's mean verdict:  on real {_fmt(real)},  on fake {_fmt(fake)}  (1 = 'real')"]
    if getattr(snap, "coverage", None) is not None:
        c = snap.coverage
        lines.append(f"modes covered {c.modes_captured}/{c.modes_total},  high quality {c.high_quality:.0%}")
    elif getattr(snap, "classes", None) is not None:
        lines.append(f"classes seen {snap.classes[0]}/{snap.classes[1]}")
    for i, text in enumerate(lines):
        _text(draw, (24, 636 + 28 * i), text, 19, INK)


def _mean_verdicts(snap, latest: dict[str, float]) -> tuple[float | None, float | None]:
    """D's mean verdict on real and fake now (the snapshot's scores), else at the last step."""
    views = getattr(snap, "points", None)
    fake = getattr(views, "fake_score", None) if views is not None else getattr(snap, "fake_scores", None)
    real = getattr(views, "real_score", None) if views is not None else getattr(snap, "real_scores", None)
    if fake is None or (real is None and views is not None):
        return latest.get("d_real"), latest.get("d_fake")
    return (None if real is None else float(np.mean(real))), float(np.mean(fake))


def _title(draw: ImageDraw.ImageDraw, snap) -> None:
    text = f"Model overview  |  {snap.dataset}  |  step {snap.step:,}  |  {snap.objective}"
    _text(draw, (24, 16), text, 26, INK)
    if snap.state in ("diverged", "error"):
        _text(draw, (BASE[0] - 24, 18), snap.state.upper() + ": see Health", 22, DIVERGED, "ra")


def overview_image(snap, reference=None, size: tuple[int, int] = BASE) -> np.ndarray:
    """The overview graph of a run's Snapshot as an (H, W, 3) uint8 image of ``size`` (w, h).

    ``reference``: real samples to show when the snapshot carries none (2D: (N, 2) points;
    images: (N, C, H, W) in [-1, 1]). Works before the first step and for a diverged run."""
    img = Image.new("RGB", BASE, (255, 255, 255))
    draw = ImageDraw.Draw(img)
    make = THUMBS.get(getattr(snap, "data_kind", ""), image_thumbs)
    latest = _latest(snap)
    _flow(draw)
    _nodes(img, draw, make(snap, reference))
    _losses(draw, latest)
    _legend(draw, snap, latest)
    _title(draw, snap)
    if tuple(size) != BASE:
        img = img.resize(tuple(size), Image.LANCZOS)
    return np.asarray(img)


__all__ = ["BASE", "THUMBS", "image_thumbs", "overview_image", "point_thumbs", "score_colours"]
