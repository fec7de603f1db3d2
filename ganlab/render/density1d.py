"""The 1D view: real density (green), G's density (purple), D(x) (blue) and the optimal D* (dashed
orange) over one x axis, with the real and generated samples as a rug underneath.

D and D* share the left axis, 0..1, with a faint line at 1/2 (where both end
when p_g = p_data); the two densities are scaled together so the taller
fills the plot. Pillow only, a few milliseconds a frame.
"""

from __future__ import annotations

import math

import numpy as np
from PIL import Image, ImageDraw

from ganlab.families.gan.probes1d import Density1D
from ganlab.render.points import FAKE, REAL

D_COLOUR = (40, 100, 200)
D_STAR = (235, 120, 10)
AXIS = (90, 90, 90)
HALF = (200, 200, 200)
TEXT = (30, 30, 30)
LEFT, RIGHT, TOP, BOTTOM = 34, 14, 36, 58  # margins in pixels (legend on top, axis and rug below)
Colour = tuple[int, int, int]


def _nice_ticks(lo: float, hi: float, target: int = 7) -> list[float]:
    """Round tick values (1, 2 or 5 times a power of ten apart) inside [lo, hi]."""
    raw = (hi - lo) / max(target, 1)
    power = 10 ** math.floor(math.log10(raw)) if raw > 0 else 1.0
    step = next(m * power for m in (1, 2, 5, 10) if m * power >= raw)
    first = math.ceil(lo / step) * step
    return [round(first + i * step, 10) for i in range(int((hi - first) / step) + 1)]


class _Plot:
    """Maps (x, value in [0, 1]) onto the plot area of a width x height image."""

    def __init__(self, extent: tuple[float, float], width: int, height: int) -> None:
        self.x0, self.x1 = extent
        self.left, self.right = LEFT, width - RIGHT
        self.top, self.bottom = TOP, height - BOTTOM
        self.image = Image.new("RGB", (width, height), (255, 255, 255))
        self.draw = ImageDraw.Draw(self.image)

    def px(self, x: np.ndarray, y: np.ndarray) -> list[tuple[float, float]]:
        u = self.left + (np.asarray(x) - self.x0) / (self.x1 - self.x0) * (self.right - self.left)
        v = self.bottom - np.clip(np.asarray(y), 0, 1) * (self.bottom - self.top)
        return [(float(a), float(b)) for a, b in zip(u, v) if math.isfinite(a) and math.isfinite(b)]

    def curve(self, x, y, colour: Colour, width: int = 2, dash: float = 0) -> None:
        """A polyline; ``dash`` > 0: dashes and gaps of ``dash`` pixels along the curve."""
        xy = self.px(x, y)
        if dash <= 0:
            if len(xy) > 1:
                self.draw.line(xy, fill=colour, width=width)
            return
        for part in _dashes(xy, dash):
            self.draw.line(part, fill=colour, width=width)

    def area(self, x, y, colour: Colour) -> None:
        xy = self.px(x, y)
        if len(xy) > 1:
            self.draw.polygon([(xy[0][0], self.bottom), *xy, (xy[-1][0], self.bottom)], fill=colour)

    def rug(self, samples: np.ndarray, row: int, colour: Colour) -> None:
        x = np.asarray(samples, dtype=np.float64)
        x = x[np.isfinite(x) & (x >= self.x0) & (x <= self.x1)]
        y0 = self.bottom + 20 + 12 * row
        for u, _ in self.px(x, np.zeros_like(x)):
            self.draw.line((u, y0, u, y0 + 8), fill=colour, width=1)


def _dashes(xy: list[tuple[float, float]], dash: float) -> list[list[tuple[float, float]]]:
    """The "on" pieces of a dashed polyline, measured along its length (steep parts stay dashed)."""
    pieces, current, travelled, on = [], [], 0.0, True
    for (a, b), (c, d) in zip(xy, xy[1:]):
        seg = math.hypot(c - a, d - b)
        start = 0.0
        while seg - start > 1e-9:
            step = min(dash - travelled, seg - start)
            t0, t1 = start / seg, (start + step) / seg
            if on:
                p0, p1 = (a + (c - a) * t0, b + (d - b) * t0), (a + (c - a) * t1, b + (d - b) * t1)
                current = current or [p0]
                current.append(p1)
            start += step
            travelled += step
            if travelled >= dash - 1e-9:
                if on and len(current) > 1:
                    pieces.append(current)
                current, travelled, on = [], 0.0, not on
    if on and len(current) > 1:
        pieces.append(current)
    return pieces


def _light(colour: Colour, share: float) -> Colour:
    return tuple(int(c * share + 255 * (1 - share)) for c in colour)  # type: ignore[return-value]


def _axes(plot: _Plot) -> None:
    d = plot.draw
    for value in (0.0, 0.5, 1.0):
        ((_, v),) = plot.px(np.array([plot.x0]), np.array([value]))
        if value == 0.5:
            d.line((plot.left, v, plot.right, v), fill=HALF, width=1)
        d.text((4, v - 6), f"{value:g}", fill=TEXT)
    d.line((plot.left, plot.bottom, plot.right, plot.bottom), fill=AXIS, width=1)
    d.line((plot.left, plot.top, plot.left, plot.bottom), fill=AXIS, width=1)
    for tick in _nice_ticks(plot.x0, plot.x1):
        ((u, _),) = plot.px(np.array([tick]), np.array([0.0]))
        d.line((u, plot.bottom, u, plot.bottom + 4), fill=AXIS, width=1)
        label = f"{tick:g}"
        d.text((u - 3 * len(label), plot.bottom + 6), label, fill=TEXT)


def _legend(plot: _Plot, view: Density1D) -> None:
    d_label = "D(x)" if view.d_is_probability else "D(x) critic, scaled"
    entries = [
        (REAL, "p_data" if view.p_data_exact else "p_data (KDE)", 0),
        (FAKE, "p_g (KDE)", 0),
        (D_COLOUR, d_label, 0),
        (D_STAR, "D* = p_data/(p_data+p_g)", 1),
    ]
    x, y = plot.left, 6
    for colour, label, dashed in entries:
        if dashed:
            plot.draw.line((x, y + 6, x + 6, y + 6), fill=colour, width=3)
            plot.draw.line((x + 10, y + 6, x + 16, y + 6), fill=colour, width=3)
        else:
            plot.draw.line((x, y + 6, x + 16, y + 6), fill=colour, width=3)
        plot.draw.text((x + 20, y), label, fill=TEXT)
        x += 20 + 6 * len(label) + 14
        if x > plot.right - 120:
            x, y = plot.left, y + 14


def density_view(view: Density1D, width: int = 640, height: int = 400) -> np.ndarray:
    """The 1D chart as an (height, width, 3) uint8 array."""
    plot = _Plot(view.extent, width, height)
    top = max(float(np.nanmax(view.p_data)), float(np.nanmax(view.p_g)), 1e-12) * 1.08
    plot.area(view.xs, view.p_data / top, _light(REAL, 0.3))
    plot.curve(view.xs, view.p_data / top, REAL, 2)
    plot.curve(view.xs, view.p_g / top, FAKE, 2)
    plot.curve(view.xs, view.d_curve, D_COLOUR, 2)
    plot.curve(view.xs, view.d_star, D_STAR, 2, dash=6)
    _axes(plot)
    _legend(plot, view)
    plot.rug(view.real, 0, REAL)
    plot.rug(view.fake, 1, FAKE)
    return np.asarray(plot.image)
