"""Style mixing tab: coarse styles from one seed, fine styles from another (StyleGAN, figure 3).

Stable API endpoint: ``mix(checkpoint, rows, cols, crossover, psi) -> image``: rows and cols are
seed lists such as "1,2,3". The picture is :func:`ganlab.families.stylegan.mixing.mixing_picture`,
the same one ``python -m ganlab mix`` writes; this module only wires widgets to it.
"""

from __future__ import annotations

from typing import Any

import gradio as gr
import numpy as np

from ganlab.errors import GanLabError
from ganlab.families.stylegan import mixing
from ganlab.families.stylegan.generator import StyleGANGenerator
from ganlab.inference import explore
from ganlab.inference.catalog import list_checkpoints
from ganlab.ui import sessions

MAX_SEEDS = 8  # per edge: an 8 x 8 grid is 80 syntheses, still quick on a CPU
MAX_LAYERS = 9  # a 64 px generator: the slider's range before any checkpoint is chosen
TRAIN_HINT = "train one with `python -m ganlab train --dataset digits --model stylegan --out runs/NAME`"
EMPTY = f"**No style-based checkpoint yet.** Style mixing needs a StyleGAN: {TRAIN_HINT}, then press **Refresh list**."
EXPLAIN = (
    "A style-based generator feeds one style per layer. Each cell takes the **coarse** styles "
    "(layers before the crossover: pose, shape, which digit) from its **row** source on the left "
    "and the rest (**fine**: stroke width, texture) from its **column** destination on top. "
    "Crossover 0 copies the columns; crossover at the last layer copies the rows."
)

friendly = sessions.friendly  # bad input -> one-line gr.Error, never a traceback


# -- checkpoints ---------------------------------------------------------------------------


PREFERRED = ("mnist-style", "fashion-style", "digits-style")  # the best-scored shipped model first


def checkpoint_choices() -> list[str]:
    """Style-based checkpoints only (shipped, then saved runs): the others cannot mix."""
    return [e.name for e in list_checkpoints("stylegan")]


def default_checkpoint(names: list[str]) -> str | None:
    """What the tab opens on: the 28 px MNIST model where shipped (sharper than the 16 px digits one)."""
    return next((name for name in PREFERRED if name in names), names[0] if names else None)


def resolve(name: Any) -> StyleGANGenerator:
    """A dropdown value -> its (cached) style generator; a plain GAN or an unknown name is named.
    Only catalog names open: an API caller cannot reach arbitrary server paths."""
    if not name or not str(name).strip():
        raise GanLabError(f"choose a style checkpoint first (none yet? {TRAIN_HINT})")
    name = str(name).strip()
    for entry in list_checkpoints():
        if entry.name == name:
            if entry.kind != "stylegan":
                raise GanLabError(
                    f"{name} is a {entry.kind} checkpoint with no style layers; "
                    "style mixing needs a stylegan checkpoint"
                )
            return mixing.check_style(explore.open_generator(entry.path).generator, name, entry.kind)
    choices = ", ".join(checkpoint_choices()) or f"none ({TRAIN_HINT})"
    raise GanLabError(f"unknown checkpoint {name!r}; choose one of: {choices}")


# -- handlers (plain functions: the API and the tests call them too) --------------------------


@friendly
def mix(checkpoint: str, rows: str, cols: str, crossover: int, psi: float = 1.0) -> np.ndarray:
    """Style mixing with a StyleGAN: each cell takes its row's coarse styles and its column's fine ones.

    The grid has (rows + 1) x (cols + 1) cells, with the row and column sources along the edges.

    Args:
        checkpoint: a StyleGAN's name from list_checkpoints (kind "stylegan", e.g. "digits-style").
        rows: comma-separated seeds of the row sources, e.g. "1,2,3" (they give the layers before the crossover).
        cols: comma-separated seeds of the column sources, e.g. "4,5,6" (they give the layers from the crossover on).
        crossover: the first layer that takes the column's style (0 gives the columns, the layer count the rows).
        psi: truncation in W, in [0, 1]; 1 leaves w as it is.
    """
    row_seeds = mixing.parse_seeds("rows", rows, MAX_SEEDS)
    col_seeds = mixing.parse_seeds("cols", cols, MAX_SEEDS)
    gen = resolve(checkpoint)
    layer = mixing.check_crossover(gen, crossover)
    return mixing.mixing_picture(gen, row_seeds, col_seeds, layer, mixing.check_psi(psi))


@friendly
def mix_view(checkpoint: str, rows: str, cols: str, crossover: int, psi: float):
    """The grid and the caption saying which groups each side gives (what the tab shows)."""
    return mix(checkpoint, rows, cols, crossover, psi), caption(checkpoint, crossover)


def caption(checkpoint: str | None, crossover: Any) -> str:
    """'after layer 2 of 5: coarse styles from the rows, ...' for the chosen checkpoint."""
    try:
        gen = resolve(checkpoint)
        return "**Crossover** " + mixing.describe_crossover(
            gen.latent.layer_groups, gen.latent.num_layers, mixing.check_crossover(gen, crossover)
        )
    except GanLabError:
        return ""


def slider_for(gen: StyleGANGenerator | None, value: int | None = None) -> dict[str, Any]:
    """The crossover slider's range and label for ``gen``: its layers, its groups named."""
    if gen is None:
        return dict(minimum=0, maximum=MAX_LAYERS, value=2, label="Crossover layer")
    groups = mixing.describe_groups(gen.latent.layer_groups)
    start = mixing.default_crossover(gen) if value is None else min(int(value), gen.latent.num_layers)
    return dict(
        minimum=0,
        maximum=gen.latent.num_layers,
        value=start,
        label=f"Crossover layer: rows give the layers below it ({groups})",
    )


@friendly
def choose_checkpoint(checkpoint: str, rows: str, cols: str, psi: float):
    """A new checkpoint: the slider fits its layers (at the end of coarse), then its grid."""
    gen = resolve(checkpoint)
    layer = mixing.default_crossover(gen)
    return gr.update(**slider_for(gen)), *mix_view(checkpoint, rows, cols, layer, psi)


def refresh(current: str | None):
    """Re-read the catalog (a run trained since the page opened appears) and the empty state."""
    names = checkpoint_choices()
    value = current if current in names else default_checkpoint(names)
    return gr.update(choices=names, value=value), gr.update(visible=not names)


def _initial(first: str | None) -> dict[str, Any]:
    """Build-time values, so the tab shows a grid before any event fires."""
    try:
        gen = resolve(first)
        layer = mixing.default_crossover(gen)
        return {"gen": gen, "image": mix(first, "1,2,3", "4,5,6", layer, 1.0), "caption": caption(first, layer)}
    except (GanLabError, gr.Error):
        return {"gen": None, "image": None, "caption": ""}


def _range_checked_by_handler(slider: gr.Slider) -> None:
    """Let the handler check the crossover against the chosen generator: Gradio's own check uses
    the build-time range, which is wrong for an API caller's checkpoint with more layers."""
    slider.preprocess = lambda payload: payload


# -- layout -----------------------------------------------------------------------------------


def build_mix_tab() -> dict[str, Any]:
    """Lay out the Style mixing tab inside the current ``gr.Blocks``; returns its components by name."""
    names = checkpoint_choices()
    first = default_checkpoint(names)
    init = _initial(first)
    gr.Markdown(EXPLAIN)
    empty = gr.Markdown(EMPTY, visible=not names)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            checkpoint = gr.Dropdown(
                names,
                value=first,
                label="Style checkpoint",
                allow_custom_value=True,
                info="StyleGAN checkpoints: shipped ones and runs saved to runs/",
            )
            refresh_button = gr.Button("Refresh list", size="sm")
            rows = gr.Textbox("1,2,3", label=f"Row sources: coarse styles (seeds, at most {MAX_SEEDS})")
            cols = gr.Textbox("4,5,6", label=f"Column destinations: fine styles (seeds, at most {MAX_SEEDS})")
            crossover = gr.Slider(step=1, elem_id="ganlab-mix-crossover", **slider_for(init["gen"]))
            about = gr.Markdown(init["caption"])
            psi = gr.Slider(0, 2, value=1.0, step=0.05, label="Truncation ψ (toward the average style)")
            go = gr.Button("Mix", variant="primary")
        with gr.Column(scale=2):
            grid = gr.Image(
                init["image"],
                label="Style mixing grid",
                type="numpy",
                format="png",
                interactive=False,
                height=480,  # scaled up (CSS: pixelated) so a projected classroom grid is readable
                elem_id="ganlab-mix-grid",
            )
    _range_checked_by_handler(crossover)
    sessions.name_errors({"psi": psi})
    inputs = [checkpoint, rows, cols, crossover, psi]
    go.click(mix, inputs, grid, api_name="mix")
    fast = dict(show_progress="hidden", trigger_mode="always_last", api_visibility="private")
    crossover.change(mix_view, inputs, [grid, about], **fast)
    psi.change(mix_view, inputs, [grid, about], **fast)
    for box in (rows, cols):
        box.submit(mix_view, inputs, [grid, about], api_visibility="private")
    go.click(caption, [checkpoint, crossover], about, api_visibility="private")
    checkpoint.change(
        choose_checkpoint, [checkpoint, rows, cols, psi], [crossover, grid, about], api_visibility="private"
    )
    refresh_button.click(refresh, checkpoint, [checkpoint, empty], api_visibility="private")
    return {
        "checkpoint": checkpoint,
        "rows": rows,
        "cols": cols,
        "crossover": crossover,
        "psi": psi,
        "grid": grid,
        "caption": about,
        "empty": empty,
        "mix": go,
    }


build = build_mix_tab  # the name ganlab.ui.app's TABS registry calls
