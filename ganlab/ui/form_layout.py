"""The Train tab's form, laid out: data, objective, optimizers, model and run, by field name.

What the widgets mean (their defaults, the form <-> config mapping, the choices) is
:mod:`ganlab.ui.controls`; this module only places them, so a new field is added
there once and shown here.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ganlab.families.gan.config import NOISE_TYPES, OBJECTIVE_NAMES, OPTIMIZERS, TrainConfig
from ganlab.families.gan.presets import recommended_config
from ganlab.ui import restore_controls, sessions, style_controls, uploads
from ganlab.ui.controls import (
    API_DEFAULTS,
    DEFAULT_DATASET,
    DRAW,
    FIELDS,
    ITERATION_FIELDS,
    LATE_FIELDS,
    MODELS,
    OBJECTIVE_LABELS,
    D_NORM_LABELS,
    RESTORE_FIELDS,
    STYLE_FIELDS,
    dataset_choices,
    device_choices,
    form_values,
    has_pair,
)
from ganlab.ui.numbers import slider_range


def _model_widgets(w: dict[str, gr.components.Component], values: dict[str, Any]) -> None:
    """The Model accordion: the model choice, its sizes, and the StyleGAN and restoration rows."""
    with gr.Accordion("Model", open=False):
        with gr.Row():
            w["model"] = gr.Dropdown(
                MODELS,
                value=values["model"],
                label="Model",
                info="stylegan: a style-based generator; pix2pix, srresnet, srgan: "
                "restore degraded images (image data)",
            )
            w["width"] = gr.Slider(
                *slider_range(TrainConfig, "width"),
                values["width"],
                step=4,
                label="Width (units / channels; MLP at most 256)",
            )
        with gr.Row():
            w["depth"] = gr.Slider(
                *slider_range(TrainConfig, "depth"), values["depth"], step=1, label="Hidden layers (MLP)"
            )
            w["z_dim"] = gr.Slider(*slider_range(TrainConfig, "z_dim"), values["z_dim"], step=1, label="Noise size z")
        with gr.Row():
            w["noise"] = gr.Radio(list(NOISE_TYPES), value=values["noise"], label="Noise")
            w["ema"] = gr.Number(values["ema"], label="EMA of G (0 = off)", minimum=0, maximum=0.9999)
        w["style_row"], style = style_controls.build_widgets(visible=values["model"] == style_controls.MODEL)
        w.update(style)
        w["restore_row"], restore = restore_controls.build_widgets()
        w.update(restore)


def build_form(dataset: str = DEFAULT_DATASET) -> dict[str, gr.components.Component]:
    """Lay out the data/device/model/objective/optimizer widgets; return them by name."""
    values = form_values(recommended_config(dataset))
    w: dict[str, gr.components.Component] = {}
    _data_widgets(w, dataset)
    _objective_widgets(w, values)
    _optimizer_widgets(w, values)
    _model_widgets(w, values)
    _run_widgets(w, values)
    uploads.pass_paths(w["upload"], w["drawing"])  # the handler decodes (safely), not Gradio
    sessions.name_errors({k: c for k, c in w.items() if k not in ("style_row", "restore_row")})
    API_DEFAULTS.update(
        {k: w[k].value for k in (*FIELDS, *STYLE_FIELDS, *RESTORE_FIELDS, *ITERATION_FIELDS, *LATE_FIELDS)}
    )
    return w


def _data_widgets(w: dict[str, gr.components.Component], dataset: str) -> None:
    """The data choice, its upload and drawing canvas, the shipped-pair switch and the device."""
    devices = device_choices()
    w["dataset"] = gr.Dropdown(dataset_choices(), value=dataset, label="Data")
    w["upload"] = gr.File(
        label="Your points (.csv, columns x,y) or images (.zip)",
        file_types=[".csv", ".zip"],
        type="filepath",
        visible=False,
        height=90,
    )
    w["drawing"] = gr.Sketchpad(
        label="Pick the brush, then draw: every inked pixel is a real point",
        type="filepath",
        image_mode="RGBA",
        canvas_size=(480, 480),
        fixed_canvas=True,
        layers=False,
        transforms=(),
        brush=gr.Brush(default_size=14, colors=["#1f2937"], color_mode="fixed"),
        visible=dataset == DRAW,
        elem_id="ganlab-drawing",
    )
    w["from_pretrained"] = gr.Checkbox(
        False,
        label="Start from the shipped trained pair",
        info="a converged G and D for this 2D set: watch it, then perturb it",
        visible=has_pair(dataset),
    )
    w["device"] = gr.Dropdown(devices, value=devices[0][1], label="Device")


def _objective_widgets(w: dict[str, gr.components.Component], values: dict[str, Any]) -> None:
    """The Objective accordion: the loss and its penalties."""
    with gr.Accordion("Objective", open=True):
        w["objective"] = gr.Dropdown(
            [(OBJECTIVE_LABELS[o], o) for o in OBJECTIVE_NAMES], value=values["objective"], label="Objective (loss)"
        )
        with gr.Row():
            w["gp_weight"] = gr.Number(values["gp_weight"], label="GP weight (wgan-gp)", minimum=0)
            w["clip_value"] = gr.Number(values["clip_value"], label="Clip value (wgan)", minimum=0)
        with gr.Row():
            w["r1_weight"] = gr.Number(values["r1_weight"], label="R1 weight (0 = off)", minimum=0)
            w["spectral_norm"] = gr.Checkbox(values["spectral_norm"], label="Spectral norm on D")
        w["d_norm"] = gr.Dropdown(
            [(label, name) for name, label in D_NORM_LABELS.items()],
            value=values["d_norm"],
            label="D normalization",
            info="batch norm in D mixes each batch's real or fake images; with R1, D needs none",
        )


def _optimizer_widgets(w: dict[str, gr.components.Component], values: dict[str, Any]) -> None:
    """The Optimizers accordion: G's and D's optimizer and rate, beta1, updates per iteration."""
    with gr.Accordion("Optimizers", open=False):
        with gr.Row():
            w["g_optimizer"] = gr.Dropdown(list(OPTIMIZERS), value=values["g_optimizer"], label="G optimizer")
            w["g_lr"] = gr.Number(values["g_lr"], label="G learning rate")
        with gr.Row():
            w["d_optimizer"] = gr.Dropdown(list(OPTIMIZERS), value=values["d_optimizer"], label="D optimizer")
            w["d_lr"] = gr.Number(values["d_lr"], label="D learning rate")
        with gr.Row():
            w["beta1"] = gr.Number(values["beta1"], label="Adam beta1", minimum=0, maximum=0.999)
            w["d_steps"] = gr.Slider(
                *slider_range(TrainConfig, "d_steps"), values["d_steps"], step=1, label="D steps per iteration"
            )
            w["g_steps"] = gr.Slider(*slider_range(TrainConfig, "g_steps"), 1, step=1, label="G steps per iteration")


def _run_widgets(w: dict[str, gr.components.Component], values: dict[str, Any]) -> None:
    """The Run accordion: batch size, steps and seed."""
    with gr.Accordion("Run", open=False):
        with gr.Row():
            w["batch_size"] = gr.Slider(
                *slider_range(TrainConfig, "batch_size"), values["batch_size"], step=1, label="Batch size"
            )
            steps_low, steps_high = slider_range(TrainConfig, "steps")
            w["steps"] = gr.Number(values["steps"], label="Steps", precision=0, minimum=steps_low, maximum=steps_high)
            w["seed"] = gr.Number(
                values["seed"], label="Seed", precision=0, minimum=slider_range(TrainConfig, "seed")[0]
            )
