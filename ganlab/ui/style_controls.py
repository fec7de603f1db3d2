"""The Train form's StyleGAN part: its own widgets (style block, mixing probability, mapping
layers, shown only for ``model = stylegan``) and form values <-> :class:`StyleGANConfig`.

The shared fields (data set, device, steps, seed, batch size, z size, learning rates, R1, EMA,
width as the base channel count) map onto the StyleGAN config; a shared field StyleGAN has no
use for is ignored unless its value asks for something StyleGAN cannot do, which is refused
naming the field.
"""

from __future__ import annotations

from typing import Any

import gradio as gr

from ganlab.data import is_points_dataset
from ganlab.engine.config import field_range
from ganlab.errors import ConfigError
from ganlab.families.gan.config import OptimizerConfig
from ganlab.families.stylegan.config import OBJECTIVE_NAMES, STYLE_BLOCKS, StyleGANConfig
from ganlab.families.stylegan.presets import recommended_config
from ganlab.ui.numbers import slider_range, whole_number

MODEL = "stylegan"
STYLE_FIELDS = ("style_block", "mixing_prob", "mapping_layers")  # /train's last parameters, in order
STYLE_INTS = ("mapping_layers",)
STYLE_FLOATS = ("mixing_prob",)
STYLE_BLOCK_LABELS = {"modulated": "modulated conv (StyleGAN2)", "adain": "AdaIN (StyleGAN1)"}
_COPIED = ("z_dim", "batch_size", "steps", "seed", "r1_weight", "ema", *STYLE_FIELDS)


def style_values(cfg: StyleGANConfig | None = None) -> dict[str, Any]:
    """The style widgets' values for ``cfg`` (the digits preset when None)."""
    cfg = cfg if cfg is not None else recommended_config("digits")
    return {name: getattr(cfg, name) for name in STYLE_FIELDS}


def shared_values(cfg: StyleGANConfig) -> dict[str, Any]:
    """The shared form fields that show ``cfg`` (the caller fills the fields StyleGAN lacks)."""
    return dict(
        model=MODEL,
        width=cfg.channels,
        z_dim=cfg.z_dim,
        objective=cfg.objective,
        r1_weight=cfg.r1_weight,
        g_optimizer=cfg.g_optim.name,
        g_lr=cfg.g_optim.lr,
        d_optimizer=cfg.d_optim.name,
        d_lr=cfg.d_optim.lr,
        beta1=cfg.g_optim.beta1,
        batch_size=cfg.batch_size,
        steps=cfg.steps,
        seed=cfg.seed,
        ema=cfg.ema,
        d_steps=1,
        noise="normal",
        spectral_norm=False,
        d_norm="none",
    )


def _refuse_unsupported(name: str, v: dict[str, Any]) -> None:
    """ConfigError naming the first field whose value StyleGAN cannot honour."""
    if is_points_dataset(name):
        raise ConfigError(
            f"model: stylegan trains on images, and {name!r} is 2D point data; "
            "choose an image data set (e.g. digits) or the mlp/dcgan model"
        )
    objective = v.get("objective")
    if objective is not None and objective not in OBJECTIVE_NAMES:
        raise ConfigError(
            f"objective: stylegan trains with {', '.join(OBJECTIVE_NAMES)}; {objective!r} needs the dcgan model"
        )
    if v.get("noise", "normal") != "normal":
        raise ConfigError("noise: stylegan draws z from a normal prior; choose normal")
    for name in ("d_steps", "g_steps"):
        if v.get(name, 1) != 1:
            raise ConfigError(f"{name}: stylegan takes one D and one G update per iteration; set it to 1")
    if v.get("spectral_norm"):
        raise ConfigError("spectral_norm: not offered for stylegan (its D is kept in check by R1)")
    if v.get("d_norm", "none") not in ("none", "same"):
        raise ConfigError("d_norm: stylegan's D has no normalization layers (R1 keeps it in check); choose none")


def config_from_values(name: str, device: str, v: dict[str, Any]) -> StyleGANConfig:
    """A validated StyleGANConfig for data set ``name`` from parsed form values (numbers already
    numbers); the data set's StyleGAN preset fills what the form does not say."""
    _refuse_unsupported(name, v)
    base = recommended_config(name)
    fields = {k: v[k] for k in _COPIED if k in v}
    if "objective" in v:
        fields["objective"] = v["objective"]
    if "width" in v:
        low, high = slider_range(StyleGANConfig, "channels")
        fields["channels"] = whole_number("width", v["width"], low, high)
    beta1 = v.get("beta1", base.g_optim.beta1)
    g = OptimizerConfig(
        v.get("g_optimizer", base.g_optim.name), v.get("g_lr", base.g_optim.lr), beta1, base.g_optim.beta2
    )
    d = OptimizerConfig(
        v.get("d_optimizer", base.d_optim.name), v.get("d_lr", base.d_optim.lr), beta1, base.d_optim.beta2
    )
    return base.updated(device=device or "auto", g_optim=g, d_optim=d, **fields).validate()


def build_widgets(visible: bool = False) -> tuple[gr.Row, dict[str, gr.components.Component]]:
    """The style-only widgets in a row (hidden unless the model is stylegan); slider bounds are
    the config's own."""
    values = style_values()
    w: dict[str, gr.components.Component] = {}
    with gr.Row(visible=visible) as row:
        w["style_block"] = gr.Radio(
            [(STYLE_BLOCK_LABELS.get(b, b), b) for b in STYLE_BLOCKS],
            value=values["style_block"],
            label="Style block (stylegan)",
        )
        low, high = field_range(StyleGANConfig, "mixing_prob")
        w["mixing_prob"] = gr.Slider(
            low, high, values["mixing_prob"], step=0.05, label="Style-mixing probability (stylegan)"
        )
        w["mapping_layers"] = gr.Slider(
            *slider_range(StyleGANConfig, "mapping_layers"),
            values["mapping_layers"],
            step=1,
            label="Mapping layers z -> w (stylegan)",
        )
    return row, w


def model_updates(model: str) -> list[Any]:
    """(style row, width slider) updates for a model choice: the row shows for stylegan only,
    and the width slider offers what that model's config accepts."""
    from ganlab.families.gan.config import TrainConfig

    cls, name = (StyleGANConfig, "channels") if model == MODEL else (TrainConfig, "width")
    low, high = slider_range(cls, name)
    return [gr.update(visible=model == MODEL), gr.update(minimum=low, maximum=high)]
