"""Explore tab: open a generator, pick a seed, truncation and class, and move along its latent space.

Stable API endpoint: ``generate(checkpoint, seed, truncation, label) -> image`` (any checkpoint
with a generator: a plain GAN, or a StyleGAN, truncated in W). A style-based model (``has_w``)
also gets a choice of W directions (GANSpace or SeFa), ψ on the coarse layers only, and
"Resample noise only"; those controls are hidden for plain GANs.
The handlers are :mod:`ganlab.ui.tabs.explore_actions`; this module lays out the widgets
and wires them.
"""

from __future__ import annotations

import random
from types import SimpleNamespace
from typing import Any

import gradio as gr

from ganlab.inference import explore
from ganlab.ui import sessions, uploads
from ganlab.ui.tabs.explore_actions import (
    BASIS_CHOICES,
    initial_state,
    checkpoint_choices,
    choose_checkpoint,
    default_checkpoint,
    generate,
    list_for_session,
    relabel_sliders,
    resample_noise,
    reset_controls,
    upload_checkpoint,
    view,
)


# -- layout -------------------------------------------------------------------------------

INTRO = (
    "Pick a generator and a seed, then move through its latent space. "
    "**Principal directions** are the main ways its early features vary (GANSpace); "
    "**truncation ψ** < 1 pulls the code toward the average for cleaner, less varied samples. "
    "A style-based (StyleGAN) model is explored in **W**, the mapping network's output: ψ pulls "
    "w toward the average w, and the directions move w."
)


def _picker_column(c: SimpleNamespace, names: list, first, init: dict) -> None:
    """Checkpoint list and upload, its card, seed, ψ (coarse only for a StyleGAN) and class."""
    loaded = init["loaded"]
    conditional, has_w = bool(loaded and loaded.conditional), bool(loaded and loaded.has_w)
    c.checkpoint = gr.Dropdown(
        names,
        value=first,
        label="Checkpoint",
        allow_custom_value=True,
        info="shipped models, runs saved from the Train tab, or an upload",
    )
    c.refresh = gr.Button("Refresh list", size="sm")
    c.upload = gr.File(
        label="Upload a checkpoint (.zip, or model.json + model.safetensors)",
        file_count="multiple",
        file_types=[".zip", ".json", ".safetensors"],
        height=120,
    )
    c.card = gr.Markdown(init["card"])
    with gr.Row():
        c.seed = gr.Number(0, label="Seed", precision=0, minimum=0, scale=2)
        c.random_seed = gr.Button("Random", scale=1)
    c.truncation = gr.Slider(0, 1.5, value=1.0, step=0.05, label="Truncation ψ")
    c.coarse = gr.Checkbox(
        False,
        label="ψ on the coarse layers only",
        visible=has_w,
        info="pose and shape stay typical; finer styles keep their variety",
    )
    c.label = gr.Dropdown(
        loaded.class_names if conditional else [],
        value=loaded.class_names[0] if conditional else None,
        label="Class",
        visible=conditional,
        allow_custom_value=True,
    )


def _views_column(c: SimpleNamespace, init: dict) -> None:
    """The sample, noise resampling, the direction and z sliders, and the strip."""
    loaded = init["loaded"]
    has_w = bool(loaded and loaded.has_w)
    c.image = gr.Image(init["image"], label="Sample", type="pil", format="png", interactive=False, height=300)
    with gr.Row():
        c.resample = gr.Button("Resample noise only", size="sm", visible=has_w)
        c.noise_seed = gr.Number(
            None, label="Noise seed (0 or blank: the default noise)", precision=0, minimum=0, visible=has_w
        )
    with gr.Accordion("Principal directions (in σ)", open=True):
        c.basis = gr.Radio(BASIS_CHOICES, value="ganspace", label="Directions", visible=has_w)
        k = explore.direction_count(loaded) if loaded else explore.DIRECTIONS
        c.pcs = [
            gr.Slider(-3, 3, value=0, step=0.1, label=f"PC{i + 1}", visible=i < k) for i in range(explore.DIRECTIONS)
        ]
    with gr.Accordion("Individual z dimensions", open=False):
        z0 = explore.code(loaded, 0)[0] if loaded else None
        c.dims = [
            gr.Slider(
                -4,
                4,
                step=0.01,
                label=f"z[{i}]",
                value=round(min(max(float(z0[i]), -4), 4), 2) if z0 is not None and i < len(z0) else 0,
                visible=loaded is None or i < loaded.z_dim,
            )
            for i in range(explore.Z_SLIDERS)
        ]
    with gr.Row():
        c.direction = gr.Dropdown(init["directions"], value=init["directions"][0], label="Strip along")
        c.span = gr.Slider(0.5, 5, value=3, step=0.5, label="Strip range ±k σ")
    c.strip = gr.Image(init["strip"], label="Strip: −k … +k", type="pil", format="png", interactive=False)


def _wire(c: SimpleNamespace) -> None:
    """/generate on a seed change; every other control redraws the sample and the strip."""
    uploads.pass_paths(c.upload)  # a wrong kind of file is refused naming it
    sessions.name_errors({"seed": c.seed, "truncation": c.truncation, "label": c.label, "noise_seed": c.noise_seed})
    common = [c.checkpoint, c.seed, c.truncation, c.label]
    controls = common + [c.direction, c.span, c.basis, c.coarse, c.noise_seed]
    sliders, shown = c.pcs + c.dims, [c.image, c.strip]
    fast = dict(show_progress="hidden", trigger_mode="always_last")
    c.seed.change(generate, common, c.image, api_name="generate", **fast).then(
        reset_controls, controls, shown + sliders, api_visibility="private", **fast
    )
    for control in (c.truncation, c.label, c.direction, c.span, c.coarse, c.noise_seed):
        control.change(view, controls + sliders, shown, api_visibility="private", **fast)
    for slider in sliders:
        slider.input(view, controls + sliders, shown, api_visibility="private", **fast)
    c.basis.change(relabel_sliders, [c.checkpoint, c.basis], c.pcs, api_visibility="private", **fast).then(
        view, controls + sliders, shown, api_visibility="private", **fast
    )
    c.random_seed.click(lambda: random.randrange(2**31), None, c.seed, api_visibility="private")
    c.resample.click(resample_noise, None, c.noise_seed, api_visibility="private")  # noise_seed.change redraws
    c.checkpoint.change(
        choose_checkpoint,
        [c.checkpoint, c.seed],
        [c.card, c.label, c.direction, c.basis, c.coarse, c.resample, c.noise_seed] + sliders,
        api_visibility="private",
    ).then(view, controls + sliders, shown, api_visibility="private")
    c.refresh.click(list_for_session, None, c.checkpoint, api_visibility="private")
    # "undocumented": callable by gradio_client (scripts, the robustness tests) but not in the API page
    c.upload.upload(upload_checkpoint, c.upload, c.checkpoint, api_name="explore_upload", api_visibility="undocumented")


def build_explore_tab() -> dict[str, Any]:
    """Lay out the Explore tab inside the current ``gr.Blocks``; returns its components by name."""
    names = checkpoint_choices()
    first = default_checkpoint(names)
    init = initial_state(first)
    c = SimpleNamespace()
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            _picker_column(c, names, first, init)
        with gr.Column(scale=2):
            _views_column(c, init)
    _wire(c)
    return {
        name: getattr(c, name)
        for name in (
            "checkpoint",
            "seed",
            "truncation",
            "label",
            "image",
            "strip",
            "pcs",
            "dims",
            "direction",
            "span",
            "basis",
            "coarse",
            "resample",
            "noise_seed",
        )
    }


build = build_explore_tab  # the name ganlab.ui.app's TABS registry calls
