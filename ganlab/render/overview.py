"""The model overview graph: how data flows through a GAN, drawn with the run's live pictures.

noise z -> G -> fake samples -> D <- real samples; D -> verdicts -> D loss and G loss, and
dashed gradient arrows back from each loss to the network it updates. Every node shows
the current state (2D runs: G's manifold, the fakes, D's surface, each sample coloured by
D's verdict; image runs: sample grids with each cell framed by D's score), so a class
can follow one step of training on a projector. Pillow only: a frame costs tens of ms.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from ganlab.render.overview_thumbs import (
    INK,
    MUTED,
    THUMBS,
    T,
    blank,
    draw_text,
    image_thumbs,
    point_thumbs,
    score_colours,
)

BASE = (1280, 720)  # the layout's own size; other sizes are resized from it
D_BLUE, G_ORANGE = (59, 117, 175), (239, 134, 54)
DIVERGED = (200, 40, 40)

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
        pic = thumbs.get(name) or blank("--")
        px, py = (x0 + x1 - T) // 2, (y0 + y1 - T) // 2
        img.paste(pic, (px, py))
        if name not in ("G", "D"):
            draw.rectangle((px - 1, py - 1, px + T, py + T), outline=(190, 190, 190))
        draw_text(draw, ((x0 + x1) / 2, y0 - 8), label, 19, INK, "md")


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
    draw_text(
        draw, (730, 88), "gradients of G's loss flow back through D (held fixed) and update G", 17, G_ORANGE, "md"
    )
    _line(draw, [(1160, 537), (1160, 660), (770, 660), (770, 464)], D_BLUE, 4, dashed=True)
    draw_text(draw, (965, 652), "gradients of D's loss update D", 17, D_BLUE, "md")


def _losses(draw: ImageDraw.ImageDraw, latest: dict[str, float]) -> None:
    for key, title, note, colour in (
        ("g_loss", "G loss", "wants D(fake) -> 1", G_ORANGE),
        ("d_loss", "D loss", "wants real -> 1, fake -> 0", D_BLUE),
    ):
        x0, y0, x1, y1 = NODES[key]
        draw.rounded_rectangle((x0, y0, x1, y1), 12, fill=(255, 255, 255), outline=colour, width=4)
        draw_text(draw, (x0 + 14, y0 + 10), title, 20, colour)
        value = latest.get(key)
        bad = value is not None and not math.isfinite(value)
        draw_text(draw, (x1 - 14, y0 + 8), _fmt(value), 30, DIVERGED if bad else INK, "ra")
        draw_text(draw, (x0 + 12, y1 - 12), note, 14, MUTED, "ld")


def _legend(draw: ImageDraw.ImageDraw, snap, latest: dict[str, float]) -> None:
    """The verdict colour bar, the mean verdicts, mode or class coverage."""
    x0, _, x1, y1 = NODES["verdicts"]
    bar = score_colours(np.linspace(0, 1, x1 - x0))
    for i, c in enumerate(bar):
        draw.line((x0 + i, y1 + 8, x0 + i, y1 + 20), fill=tuple(int(v) for v in c))
    draw_text(draw, (x0, y1 + 24), "says fake", 14, MUTED)
    draw_text(draw, (x1, y1 + 24), "says real", 14, MUTED, "ra")
    if snap.data_kind == "image":
        draw_text(draw, ((x0 + x1) / 2, y1 + 44), "top: fakes, bottom: real", 14, MUTED, "ma")
    real, fake = _mean_verdicts(snap, latest)
    lines = [f"D's mean verdict:  on real {_fmt(real)},  on fake {_fmt(fake)}  (1 = 'real')"]
    if getattr(snap, "coverage", None) is not None:
        c = snap.coverage
        lines.append(f"modes covered {c.modes_captured}/{c.modes_total},  high quality {c.high_quality:.0%}")
    elif getattr(snap, "classes", None) is not None:
        lines.append(f"classes seen {snap.classes[0]}/{snap.classes[1]}")
    for i, text in enumerate(lines):
        draw_text(draw, (24, 636 + 28 * i), text, 19, INK)


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
    draw_text(draw, (24, 16), text, 26, INK)
    if snap.state in ("diverged", "error"):
        draw_text(draw, (BASE[0] - 24, 18), snap.state.upper() + ": see Health", 22, DIVERGED, "ra")


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
