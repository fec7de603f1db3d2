"""The Train form's restoration part: the task picker (shown only for ``pix2pix``, ``srresnet``
and ``srgan``) and form values <-> :class:`RestoreConfig`.

The shared fields a restoration run uses are the data set, device, steps, seed, batch size and
the G learning rate (the one Adam rate of G and D); the data set's restoration preset fills the
rest. GAN-only fields (objective, z size, EMA, ...) are ignored: a paired model has no noise
input and trains with its own L1 + adversarial recipe.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ganlab.data import is_points_dataset
from ganlab.errors import ConfigError
from ganlab.families.restore.config import MODELS, RestoreConfig
from ganlab.families.restore.degrade import TASKS
from ganlab.families.restore.presets import PRESETS, preset_for

RESTORE_FIELDS = ("task",)  # /train's last parameter, after the style fields
TASK_LABELS = {
    "sr4": "x4 super-resolution (srresnet, srgan)",
    "denoise": "denoise (pix2pix)",
    "inpaint": "inpaint (pix2pix)",
}
_COPIED = ("batch_size", "steps", "seed")


def is_restore_model(model: str | None) -> bool:
    return model in MODELS


def default_task(model: str | None) -> str:
    """The first task the model does: sr4 for the SR models, denoise for pix2pix."""
    return next((name for name, task in TASKS.items() if model in task.models), "denoise")


def preset(name: str) -> dict[str, Any]:
    return dict(PRESETS.get(preset_for(name) or "", {}))


def form_defaults(name: str) -> dict[str, Any]:
    """The shared fields that show the data set's restoration preset (steps, batch size, lr)."""
    base = RestoreConfig(**{k: v for k, v in preset(name).items() if k in RestoreConfig.__dataclass_fields__})
    return {"batch_size": base.batch_size, "steps": base.steps, "g_lr": base.lr, "d_lr": base.lr}


def config_from_values(name: str, device: str, v: dict[str, Any]) -> RestoreConfig:
    """A validated RestoreConfig for data set ``name`` from parsed form values."""
    model = v["model"]
    if is_points_dataset(name):
        raise ConfigError(
            f"model: {model} restores images, and {name!r} is 2D point data; choose an image data set (e.g. digits)"
        )
    task = v.get("task") or default_task(model)
    fields = {k: v[k] for k in _COPIED if k in v}
    if "g_lr" in v:
        fields["lr"] = v["g_lr"]
    return RestoreConfig(
        **{**preset(name), **fields, "dataset": name, "device": device or "auto", "model": model, "task": task}
    ).validate()


def build_widgets(visible: bool = False) -> tuple[gr.Row, dict[str, gr.components.Component]]:
    """The task radio in a row, hidden unless the model is a restoration model."""
    with gr.Row(visible=visible) as row:
        task = gr.Radio(
            [(label, name) for name, label in TASK_LABELS.items()],
            value="denoise",
            label="Restoration task (pix2pix, srresnet, srgan)",
        )
    return row, {"task": task}


def model_updates(model: str) -> list[Any]:
    """(task row, task) for a model choice: shown for restoration models, set to one they do."""
    if not is_restore_model(model):
        return [gr.update(visible=False), gr.skip()]
    return [gr.update(visible=True), default_task(model)]
