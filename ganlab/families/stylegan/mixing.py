"""The style-mixing figure as one picture, and the checks around it: the core that both
``python -m ganlab mix`` and the app's Style mixing tab call, so the two draw the same pixels.

Cell (r, c) of the figure takes row r's styles on layers [0, crossover) (coarse: pose, shape)
and column c's from the crossover on (fine: stroke, texture); the sources sit along the edges
(Karras et al. 2019, figure 3). No gradio here: the tab only wires widgets to these functions.
"""

from __future__ import annotations

from typing import Any, Mapping

import numpy as np

from ganlab.errors import GanLabError
from ganlab.families.stylegan.generator import StyleGANGenerator, mixing_grid
from ganlab.render.images import image_grid

MAX_SEEDS = 16  # per edge; the app asks for fewer
CELL_PX = 64  # cells are upscaled (nearest) to about this size, so 16 px digits stay visible


def parse_seeds(field: str, text: Any, limit: int = MAX_SEEDS) -> list[int]:
    """'1,2,3' -> [1, 2, 3]; a GanLabError naming ``field`` for anything else (so a caller
    knows which list was wrong and what a right one looks like)."""
    parts = [p.strip() for p in str("" if text is None else text).split(",")]
    if not all(p.isdigit() for p in parts):
        raise GanLabError(f"{field}: must be comma-separated whole seeds (e.g. 1,2,3); got {text!r}")
    if len(parts) > limit:
        raise GanLabError(f"{field}: at most {limit} seeds; got {len(parts)}")
    seeds = [int(p) for p in parts]
    if any(s >= 2**63 for s in seeds):
        raise GanLabError(f"{field}: seeds must be below 2^63; got {text!r}")
    return seeds


def check_style(gen: Any, name: str, kind: str) -> StyleGANGenerator:
    """``gen`` when it has per-layer styles; otherwise a message saying what this checkpoint is."""
    if not isinstance(gen, StyleGANGenerator):
        raise GanLabError(
            f"{name} is a {kind} checkpoint with no style layers; style mixing needs a stylegan checkpoint"
        )
    return gen


def default_crossover(gen: StyleGANGenerator) -> int:
    """The end of the coarse layers: the paper's classic 'coarse from the rows' setting."""
    return int(gen.latent.layer_groups.get("coarse", (0, 1))[1])


def check_crossover(gen: StyleGANGenerator, crossover: Any, field: str = "crossover") -> int:
    """A whole crossover in [0, num_layers], or a message giving this generator's range."""
    layers = gen.latent.num_layers
    number = _whole(crossover)
    if number is None or not 0 <= number <= layers:
        raise GanLabError(
            f"{field}: must be in [0, {layers}], a whole number (this generator has {layers} "
            f"style layers); got {crossover!r}"
        )
    return number


def check_psi(psi: Any, field: str = "psi") -> float:
    """ψ in [0, 2]: past that the truncation trick extrapolates into nonsense."""
    try:
        value = float(psi)
    except (TypeError, ValueError):
        value = float("nan")
    if not 0 <= value <= 2:
        raise GanLabError(f"{field}: must be in [0, 2]; got {psi!r}")
    return value


def _whole(value: Any) -> int | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return int(number) if number.is_integer() else None


def describe_crossover(groups: Mapping[str, tuple[int, int]], num_layers: int, crossover: int) -> str:
    """Which layer groups a crossover gives to each side, in words, e.g. 'after layer 2 of 5:
    coarse styles from the rows, middle+fine from the columns' (a group it cuts is 'part of')."""
    if crossover <= 0:
        return f"crossover 0 of {num_layers}: every style from the columns (the column images unchanged)"
    if crossover >= num_layers:
        return f"after layer {num_layers} of {num_layers}: every style from the rows (the row images unchanged)"
    rows, cols = [], []
    for name, (start, end) in groups.items():
        if end <= crossover:
            rows.append(name)
        elif start >= crossover:
            cols.append(name)
        else:
            rows.append(f"part of {name}")
            cols.append(f"the rest of {name}")
    return (
        f"after layer {crossover} of {num_layers}: {'+'.join(rows)} styles from the rows, "
        f"{'+'.join(cols)} from the columns"
    )


def describe_groups(groups: Mapping[str, tuple[int, int]]) -> str:
    """The layers of each group in words, e.g. 'coarse 0 · middle 1–2 · fine 3–4' (for a label)."""
    spans = [
        f"{name} {start}" if end - start == 1 else f"{name} {start}–{end - 1}" for name, (start, end) in groups.items()
    ]
    return " · ".join(spans)


def mixing_picture(
    gen: StyleGANGenerator,
    rows: list[int],
    cols: list[int],
    crossover: int,
    psi: float = 1.0,
    noise_seed: int | None = None,
) -> np.ndarray:
    """The figure as one (H, W, 3) uint8 picture: (rows+1) x (cols+1) cells of ``cell_px(gen)``
    pixels on 2 px white padding (scaled with the cells), sources along the edges."""
    images = mixing_grid(gen, rows, cols, crossover, psi, noise_seed)
    return image_grid(images, nrow=len(cols) + 1, scale=scale_of(images.shape[-1]))


def scale_of(size: int) -> int:
    """The whole upscaling factor that brings a cell of ``size`` px to about CELL_PX."""
    return max(1, CELL_PX // int(size))


def cell_box(size: int, row: int, col: int, pad: int = 2) -> tuple[int, int, int, int]:
    """(top, left, bottom, right) of cell (row, col) in a :func:`mixing_picture` of ``size`` px
    images (row/col 0 are the edges), for reading one cell back out of the picture."""
    s = scale_of(size)
    step = (size + pad) * s
    top, left = pad * s + row * step, pad * s + col * step
    return top, left, top + size * s, left + size * s
