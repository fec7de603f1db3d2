"""The Train form's family choice, without a server: model -> family through the registry,
form values -> that family's config, refusals naming the field, the fields a model change fills."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")

from ganlab.engine.config import field_range  # noqa: E402
from ganlab.errors import ConfigError  # noqa: E402
from ganlab.families.gan.config import TrainConfig  # noqa: E402
from ganlab.families.stylegan.config import StyleGANConfig  # noqa: E402
from ganlab.ui import controls, style_controls  # noqa: E402

GAN_DIGITS = controls.form_values(controls.recommended_config("digits"))


def test_stylegan_form_values_build_a_stylegan_config_through_the_registry():
    cfg = controls.config_from_form(
        "digits",
        "cpu",
        **dict(
            GAN_DIGITS,
            model="stylegan",
            width=8,
            z_dim=12,
            g_lr=1e-3,
            ema=0.9,
            style_block="adain",
            mixing_prob=0.25,
            mapping_layers=3,
        ),
    )
    assert isinstance(cfg, StyleGANConfig) and controls.family_of(cfg).name == "stylegan"
    assert (cfg.channels, cfg.z_dim, cfg.g_optim.lr, cfg.ema) == (8, 12, 1e-3, 0.9)
    assert (cfg.style_block, cfg.mixing_prob, cfg.mapping_layers) == ("adain", 0.25, 3)
    assert controls.model_facts(cfg) == {"model": "stylegan", "family": "stylegan"}


def test_gan_models_still_build_a_train_config_and_ignore_the_style_fields():
    cfg = controls.config_from_form("digits", "cpu", **dict(GAN_DIGITS, style_block="adain", mapping_layers=3))
    assert isinstance(cfg, TrainConfig) and controls.family_of(cfg).name == "gan"
    assert controls.model_facts(cfg) == {"model": "dcgan", "family": "gan"}


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(dataset="ring8"), "model: stylegan trains on images, and 'ring8' is 2D point data"),
        (dict(objective="wgan"), "objective:"),
        (dict(noise="uniform"), "noise:"),
        (dict(d_steps=3), "d_steps:"),
        (dict(spectral_norm=True), "spectral_norm:"),
        (dict(width=300), "width:"),
        (dict(mapping_layers=0), "mapping_layers:"),
        (dict(mixing_prob=1.5), "mixing_prob:"),
    ],
)
def test_what_stylegan_cannot_do_is_refused_by_name(changes, field):
    values = dict(GAN_DIGITS, model="stylegan", **changes)
    dataset = values.pop("dataset", "digits")
    with pytest.raises(ConfigError, match=field):
        controls.config_from_form(dataset, "cpu", **values)


def test_choosing_stylegan_fills_its_preset_and_2d_data_falls_back_to_the_gan_one():
    names = (*controls.FIELDS, *controls.STYLE_FIELDS)
    style = dict(zip(names, controls.defaults_for("digits", None, "stylegan")))
    assert style["model"] == "stylegan" and style["width"] == 16 and style["g_lr"] == 2e-3 and style["beta1"] == 0.0
    assert (
        controls.config_from_form("digits", "cpu", **style).to_dict()
        == controls.style_presets.recommended_config("digits", device="cpu").to_dict()
    )
    assert dict(zip(names, controls.defaults_for("ring8", None, "stylegan")))["model"] == "auto"
    assert dict(zip(names, controls.defaults_for("digits", None, "dcgan")))["model"] == "dcgan"


def test_the_width_slider_offers_what_the_chosen_config_accepts():
    row, width = style_controls.model_updates("stylegan")
    assert row["visible"] is True and width["maximum"] == field_range(StyleGANConfig, "channels")[1]
    row, width = style_controls.model_updates("dcgan")
    assert row["visible"] is False and width["maximum"] == field_range(TrainConfig, "width")[1]


def test_the_pair_option_reaches_the_family_start_only_for_a_2d_set_with_a_pair():
    from ganlab.errors import GanLabError

    ring = controls.config_from_form("ring8", "cpu", **controls.form_values(controls.recommended_config("ring8")))
    assert controls.start_options(ring, True) == {"from_pretrained": True}
    assert controls.start_options(ring, False) == {}  # unticked: the family starts as before
    digits = controls.config_from_form("digits", "cpu", **GAN_DIGITS)
    with pytest.raises(GanLabError, match="trained pairs are shipped for the 2D sets: ring8, grid25"):
        controls.start_options(digits, True)
    assert controls.has_pair("ring8") and controls.has_pair("moons")  # the checkbox shows for 2D sets...
    assert not controls.has_pair("digits") and not controls.has_pair(controls.DRAW)  # ...not for the rest
