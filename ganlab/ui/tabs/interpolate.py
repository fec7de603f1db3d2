"""Interpolate tab: walk from one seed (and class) to another, as a strip and an animated GIF.

Stable API endpoint: ``interpolate(checkpoint, seed_a, seed_b, frames, method) -> GIF file``
(``truncation``, ``class_a`` and ``class_b`` are optional extras). ``method`` is "slerp" or
"lerp" (paths in z) for every model, and "lerp-w" (a straight line in W) for a style-based one;
a plain GAN refuses "lerp-w" by name.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ganlab.errors import GanLabError
from ganlab.inference import explore, interpolation
from ganlab.ui import sessions, uploads
from ganlab.ui.tabs.explore_actions import (
    checkpoint_choices,
    default_checkpoint,
    friendly,
    list_for_session,
    resolve_checkpoint,
    upload_checkpoint,
)

METHOD_LABELS = {"slerp": "slerp in Z", "lerp": "lerp in Z", "lerp-w": "lerp in W"}
METHODS = [(METHOD_LABELS[m], m) for m in interpolation.METHODS]
W_HINT = (
    "Style-based: **lerp in W** usually looks smoother than slerp in Z: W is disentangled, so equal "
    "steps along a straight line in W change the picture by about equal amounts (a short perceptual "
    "path length)."
)


@friendly
def interpolate(
    checkpoint: str,
    seed_a: int,
    seed_b: int,
    frames: int = 8,
    method: str = "slerp",
    truncation: float = 1.0,
    class_a: str | None = None,
    class_b: str | None = None,
    request: gr.Request | None = None,
):
    """An animated GIF walking the latent space from one seed's picture to another's.

    The API and MCP return the GIF; the tab also shows the frames as a strip (kept in a gr.State).

    Args:
        checkpoint: a generator's name from list_checkpoints (e.g. "mnist", "digits-style").
        seed_a: the seed the walk starts from.
        seed_b: the seed the walk ends at.
        frames: pictures in the walk (2 to 64).
        method: "slerp" (along the sphere, right for Gaussian z), "lerp" (a straight line) or "lerp-w"
            (a straight line in W, StyleGAN checkpoints only).
        truncation: psi in [0, 1]; below 1 pulls both ends toward the average.
        class_a: the start's class, for a class-conditional model; empty otherwise.
        class_b: the end's class, for a class-conditional model; empty otherwise.
    """
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    interpolation.check_method(loaded, method)
    gif_frames, strip = interpolation.interpolation(
        loaded, seed_a, seed_b, frames, method, explore.check_psi(truncation), class_a, class_b
    )
    return str(interpolation.save_gif(gif_frames)), strip


def show(gif_path: str | None, strip: Any):
    return gif_path, strip


@friendly
def classes_for(checkpoint: str, request: gr.Request | None = None):
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    names = loaded.class_names
    last = names[-1] if names else None
    return (
        gr.update(choices=names, value=names[0] if names else None, visible=loaded.conditional),
        gr.update(choices=names, value=last, visible=loaded.conditional),
        gr.update(value=_hint(loaded)),
        method_update(loaded),
    )


def method_update(loaded: explore.Loaded | None, value: str | None = None):
    """The paths this model can walk: lerp in W only for a style-based model."""
    choices = [c for c in METHODS if c[1] != "lerp-w" or (loaded is not None and loaded.has_w)]
    default = "lerp-w" if loaded is not None and loaded.has_w else "slerp"
    return gr.update(choices=choices, value=value if value in [c[1] for c in choices] else default)


def _hint(loaded: explore.Loaded | None) -> str:
    if loaded is None:
        return ""
    if loaded.data_kind == "points":
        return "2D model: the strip shows the path through data space (green start, red end) over G's samples."
    lines = [W_HINT] if loaded.has_w else []
    if loaded.conditional:
        lines.append("Class-conditional: the class embedding moves from class A to class B along with z.")
    return "  \n".join(lines)


INTRO = (
    "Two seeds are two points in latent space; the frames walk between them. **slerp** follows "
    "the sphere where Gaussian codes live (every frame as typical as the ends); **lerp** cuts "
    "through the middle, where codes are shorter than anything G saw in training. A style-based "
    "model can also walk **lerp in W**."
)


def _opening_checkpoint() -> tuple[list[str], str | None, Any]:
    """The checkpoint list, the one the page opens on, and that one loaded (None if it cannot be)."""
    names = checkpoint_choices()
    first = default_checkpoint(names)
    try:
        return names, first, resolve_checkpoint(first)
    except GanLabError:
        return names, first, None


def _class_dropdown(classes: list[str], end: str) -> gr.Dropdown:
    """The class of walk end ``end`` ("A" starts at the first class, "B" at the last), for conditional models."""
    value = (classes[0] if end == "A" else classes[-1]) if classes else None
    return gr.Dropdown(classes, value=value, label=f"Class {end}", visible=bool(classes), allow_custom_value=True)


def build_interpolate_tab() -> dict[str, Any]:
    """Lay out the Interpolate tab inside the current ``gr.Blocks``; returns its components by name."""
    names, first, loaded = _opening_checkpoint()
    classes = loaded.class_names if loaded and loaded.conditional else []
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            checkpoint = gr.Dropdown(names, value=first, label="Checkpoint", allow_custom_value=True)
            refresh = gr.Button("Refresh list", size="sm")
            upload = gr.File(
                label="Upload a checkpoint (.zip, or model.json + model.safetensors)",
                file_count="multiple",
                file_types=[".zip", ".json", ".safetensors"],
                height=120,
            )
            with gr.Row():
                seed_a = gr.Number(0, label="Seed A", precision=0, minimum=0)
                seed_b = gr.Number(1, label="Seed B", precision=0, minimum=0)
            with gr.Row():
                class_a, class_b = (_class_dropdown(classes, end) for end in ("A", "B"))
            frames = gr.Slider(2, 64, value=8, step=1, label="Frames")
            # every method at build time (what the API validates against); a plain model's page drops
            # "lerp in W" once a checkpoint is chosen, and the handler refuses it by name
            method = gr.Radio(METHODS, value=method_update(loaded)["value"], label="Path")
            psi = gr.Slider(0, 1.5, value=1.0, step=0.05, label="Truncation ψ")
            go = gr.Button("Interpolate", variant="primary")
            hint = gr.Markdown(_hint(loaded))
        with gr.Column(scale=2):
            preview = gr.Image(label="Animation", type="filepath", interactive=False, height=300)
            strip = gr.Image(label="Frames", type="pil", format="png", interactive=False)
            gif = gr.File(label="Download the GIF", interactive=False)
    strip_state = gr.State()
    uploads.pass_paths(upload)  # a wrong kind of file is refused naming it
    sessions.name_errors({"seed_a": seed_a, "seed_b": seed_b, "frames": frames, "method": method, "truncation": psi})
    go.click(
        interpolate,
        [checkpoint, seed_a, seed_b, frames, method, psi, class_a, class_b],
        [gif, strip_state],
        api_name="interpolate",
    ).then(show, [gif, strip_state], [preview, strip], api_visibility="private")
    checkpoint.change(classes_for, checkpoint, [class_a, class_b, hint, method], api_visibility="private")
    refresh.click(list_for_session, None, checkpoint, api_visibility="private")
    upload.upload(upload_checkpoint, upload, checkpoint, api_visibility="private")
    return {
        "checkpoint": checkpoint,
        "seed_a": seed_a,
        "seed_b": seed_b,
        "frames": frames,
        "method": method,
        "truncation": psi,
        "class_a": class_a,
        "class_b": class_b,
        "gif": gif,
        "strip": strip,
        "preview": preview,
    }


build = build_interpolate_tab  # the name ganlab.ui.app's TABS registry calls
