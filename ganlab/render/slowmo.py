"""Slow motion's frames: one picture per sub-step of a GAN iteration, with its caption drawn in.

2D data: D's surface (as it was at that sub-step: it changes only at D's
update), the real and fake points of the batch, their scores, and G's
gradient arrows from the gradient sub-step on. Image data: the batch as a
grid whose cells are framed in D's verdict colour, the gradient's size per
pixel, and G's samples before and after its update. The 2D layer picker is
respected (a layer switched off is not drawn in any frame).
"""

from __future__ import annotations

import textwrap
from functools import lru_cache
from typing import Callable, Iterable

import numpy as np
import torch
from PIL import Image, ImageDraw, ImageFont

from ganlab.families.gan.slowmo import SlowStep, SubStep
from ganlab.render.images import image_grid
from ganlab.render.points import ARROW, FAKE, REAL, Canvas
from ganlab.render.views import LAYERS, _surface_colours

CELLS = 16  # images of the batch shown per grid
FAINT_FAKE = tuple(int(c * 0.35 + 255 * 0.65) for c in FAKE)


@lru_cache(maxsize=8)
def font(size: int) -> ImageFont.ImageFont:
    """Pillow's bundled font at ``size`` px (legible on a projector; no font files needed)."""
    return ImageFont.load_default(size=size)


def verdict_colour(score: float, probabilities: bool = True) -> tuple[int, int, int]:
    """A score as GAN Lab colours it: green = "real", purple = "fake" (raw critic values: by sign)."""
    s = score if probabilities else 1 / (1 + np.exp(-score))
    s = float(np.clip(s, 0, 1))
    return tuple(int(f + s * (r - f)) for r, f in zip(REAL, FAKE))


def caption_banner(image: np.ndarray, caption: str, size: int = 18) -> np.ndarray:
    """The caption, wrapped, in a white band under the picture."""
    width = image.shape[1]
    chars = max(20, int(width / (size * 0.52)))
    lines = textwrap.wrap(caption, chars)[:4]
    band = Image.new("RGB", (width, 10 + len(lines) * (size + 4)), (255, 255, 255))
    draw = ImageDraw.Draw(band)
    for i, line in enumerate(lines):
        draw.text((8, 5 + i * (size + 4)), line, fill=(20, 20, 20), font=font(size))
    return np.concatenate([np.asarray(Image.fromarray(image).convert("RGB")), np.asarray(band)], axis=0)


# -- 2D ------------------------------------------------------------------------------------------


def _scored_dots(canvas: Canvas, pts, scores, outline, radius: float, probabilities: bool) -> None:
    px = canvas.px(np.asarray(pts))
    for (x, y), s in zip(px, np.asarray(scores, dtype=float)):
        if np.isfinite(x) and np.isfinite(y):
            canvas.draw.ellipse(
                (x - radius, y - radius, x + radius, y + radius),
                fill=verdict_colour(s, probabilities),
                outline=outline,
                width=1,
            )


def _lift(pts, height: float):
    """1D points drawn on a strip: x as is, y a fixed spread around ``height`` (2D points unchanged)."""
    if pts is None:
        return None
    pts = np.asarray(pts, dtype=np.float64)
    if pts.ndim == 2 and pts.shape[1] == 1:
        spread = ((np.arange(len(pts)) * 0.618034) % 1 - 0.5) * 0.5
        return np.c_[pts[:, 0], height + spread]
    return pts


def _points_frame(slow: SlowStep, sub: SubStep, memory: dict, layers: set[str], size: int) -> np.ndarray:
    """One sub-step on the 2D view (1D data: real points on the upper strip, fakes on the lower)."""
    t = dict(sub.tensors)
    for key in ("fake", "fake_after"):
        if key in t:
            t[key] = _lift(t[key], -0.45)
    if "grad" in t and t["grad"].shape[1] == 1:
        t["grad"] = np.c_[t["grad"].numpy(), np.zeros(len(t["grad"]))]
    memory = {**memory, "real": _lift(memory.get("real"), 0.45), "fake": _lift(memory.get("fake"), -0.45)}
    background = _surface_colours(t["surface"]) if "surface" in layers and "surface" in t else None
    canvas = Canvas(slow.extent, size, background)
    r = max(2.5, size / 160)
    real, fake = memory.get("real"), t.get("fake", memory.get("fake"))
    show_real, show_fake = "real" in layers and real is not None, "fake" in layers and fake is not None
    stage = sub.stage
    if stage in ("d.scores", "d.loss"):
        if show_real:
            _scored_dots(canvas, real, t.get("d_real", memory.get("d_real")), REAL, r + 1, slow.probabilities)
        if show_fake:
            _scored_dots(canvas, fake, t.get("d_fake", memory.get("d_fake")), FAKE, r + 1, slow.probabilities)
    elif stage in ("g.scores", "g.loss"):
        if show_fake:
            _scored_dots(canvas, fake, t.get("d_fake", memory.get("g_scores")), FAKE, r + 1, slow.probabilities)
    elif stage == "g.update":
        if show_fake:
            canvas.dots(t["fake"], FAINT_FAKE, r)
            for a, b in zip(canvas.px(t["fake"]), canvas.px(t["fake_after"])):
                canvas.draw.line((*a, *b), fill=FAINT_FAKE, width=1)
            canvas.dots(t["fake_after"], FAKE, r)
    else:
        if show_real and (stage.startswith("d.") or stage == "g.noise"):
            canvas.dots(real, REAL, r)
        if show_fake and stage not in ("d.real", "g.noise"):
            canvas.dots(fake, FAKE, r)
    if stage == "g.grad" and "arrows" in layers:
        canvas.arrows(np.asarray(t["fake"])[:200], -np.asarray(t["grad"])[:200], ARROW)
    if stage == "g.noise":
        _noise_inset(canvas, t["z"], size)
    return canvas.array()


def _noise_inset(canvas: Canvas, z: torch.Tensor, size: int) -> None:
    """The fresh noise, drawn in a corner box (its first two coordinates)."""
    box = size // 4
    draw = canvas.draw
    draw.rectangle((6, 6, 6 + box, 6 + box), fill=(250, 250, 250), outline=(80, 80, 80))
    draw.text((10, 8), "z", fill=(20, 20, 20), font=font(max(12, size // 30)))
    zz = z[:, :2].numpy() if z.shape[1] >= 2 else np.c_[z[:, 0].numpy(), np.zeros(len(z))]
    span = max(1e-6, float(np.abs(zz).max()))
    for x, y in zz:
        px, py = 6 + box / 2 + x / span * box * 0.45, 6 + box / 2 - y / span * box * 0.45
        draw.ellipse((px - 1.5, py - 1.5, px + 1.5, py + 1.5), fill=(90, 90, 90))


# -- images --------------------------------------------------------------------------------------


def _framed_grid(images: torch.Tensor, scores, probabilities: bool, px: int) -> np.ndarray:
    """A grid of the first CELLS images, each framed in its verdict's colour when scored."""
    images, pad = images[:CELLS], 6
    grid = image_grid(images, target_px=px, pad=pad)
    if scores is None:
        return grid
    n, side = len(images), images.shape[-1]
    cols = max(1, int(np.ceil(np.sqrt(n))))
    factor = grid.shape[1] // (cols * (side + pad) + pad)
    canvas = Image.fromarray(grid).convert("RGB")
    draw = ImageDraw.Draw(canvas)
    for i, s in enumerate(np.asarray(scores[:n], dtype=float)):
        x0 = ((i % cols) * (side + pad) + pad) * factor
        y0 = ((i // cols) * (side + pad) + pad) * factor
        w = max(2, pad * factor // 2)
        draw.rectangle(
            (x0 - w, y0 - w, x0 + side * factor + w - 1, y0 + side * factor + w - 1),
            outline=verdict_colour(s, probabilities),
            width=w,
        )
    return np.asarray(canvas)


def _heat(grad: torch.Tensor) -> torch.Tensor:
    """|gradient| per pixel of each image, scaled to [-1, 1] for the grid (bright = G pushes hard)."""
    mag = grad.abs().sum(dim=1, keepdim=True)
    top = mag.flatten(1).amax(dim=1).clamp_min(1e-12)[:, None, None, None]
    return (mag / top) * 2 - 1


def _side_by_side(*grids: np.ndarray) -> np.ndarray:
    height = max(g.shape[0] for g in grids)
    padded = [
        np.pad(
            g[..., :3] if g.ndim == 3 else np.repeat(g[..., None], 3, 2),
            ((0, height - g.shape[0]), (0, 8), (0, 0)),
            constant_values=255,
        )
        for g in grids
    ]
    return np.concatenate(padded, axis=1)


def _image_frame(slow: SlowStep, sub: SubStep, memory: dict, layers: set[str], size: int) -> np.ndarray:
    t, p, half = sub.tensors, slow.probabilities, size // 2
    real, fake = memory.get("real"), t.get("fake", memory.get("fake"))
    pictures: dict[str, Callable[[], np.ndarray]] = {
        "d.real": lambda: _framed_grid(real, None, p, size),
        "d.fake": lambda: _framed_grid(fake, None, p, size),
        "d.scores": lambda: _side_by_side(
            _framed_grid(real, memory["d_real"], p, half), _framed_grid(fake, memory["d_fake"], p, half)
        ),
        "g.noise": lambda: _noise_strip(t["z"], size),
        "g.fake": lambda: _framed_grid(fake, None, p, size),
        "g.scores": lambda: _framed_grid(fake, memory.get("g_scores"), p, size),
        "g.grad": lambda: _side_by_side(
            _framed_grid(fake, None, p, half), _framed_grid(_heat(t["grad"]), None, p, half)
        ),
        "g.update": lambda: _side_by_side(
            _framed_grid(t["fake"], None, p, half), _framed_grid(t["fake_after"], None, p, half)
        ),
    }
    pictures["d.loss"] = pictures["d.update"] = pictures["d.scores"]
    pictures["g.loss"] = pictures["g.scores"]
    return pictures[sub.stage]()


def _noise_strip(z: torch.Tensor, size: int) -> np.ndarray:
    """The noise batch as an image: one row per z, one column per coordinate (grey = 0)."""
    rows = z[:64].numpy()
    scaled = np.clip(128 + rows / max(1e-6, float(np.abs(rows).max())) * 127, 0, 255).astype(np.uint8)
    return np.asarray(Image.fromarray(scaled).resize((size, size // 2), Image.NEAREST).convert("RGB"))


# -- the frames ----------------------------------------------------------------------------------


def slow_frames(
    slow: SlowStep, layers: Iterable[str] = LAYERS, size: int = 480, caption_px: int = 18
) -> list[tuple[np.ndarray, str]]:
    """(picture with its caption drawn in, caption) for each sub-step, in order."""
    layers = set(layers)
    draw = _points_frame if slow.data_kind == "points" and slow.extent is not None else _image_frame
    memory: dict = {}
    out = []
    for sub in slow.substeps:
        for key in ("real", "fake"):
            if key in sub.tensors and sub.stage.startswith("d."):
                memory[key] = sub.tensors[key]
        if sub.stage == "d.scores":
            memory.update(d_real=sub.tensors["d_real"], d_fake=sub.tensors["d_fake"])
        if sub.stage == "g.fake":
            memory["fake"] = sub.tensors["fake"]
        if sub.stage == "g.scores":
            memory["g_scores"] = sub.tensors["d_fake"]
        out.append((caption_banner(draw(slow, sub, memory, layers, size), sub.caption, caption_px), sub.caption))
    return out
