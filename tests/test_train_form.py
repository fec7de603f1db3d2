"""The Train form's family choice, without a server: model -> family through the registry,
form values -> that family's config, refusals naming the field, the fields a model change fills."""

from __future__ import annotations

import pytest

pytest.importorskip("gradio")

from ganlab.engine.config import field_range  # noqa: E402
from ganlab.errors import ConfigError  # noqa: E402
from ganlab.families.gan.config import TrainConfig  # noqa: E402
from ganlab.families.gan.lessons import LESSONS  # noqa: E402
from ganlab.families.stylegan.config import StyleGANConfig  # noqa: E402
from ganlab.ui import controls, form_shown, style_controls  # noqa: E402

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
        (dict(d_norm="batch"), "d_norm: stylegan's D has no normalization layers"),
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
    names = controls.FILL_FIELDS
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


def _form_of(dataset: str, model: str = "auto") -> dict:
    """What the browser's form holds once the fill for ``dataset`` and ``model`` arrived."""
    filled = controls.defaults_for(dataset, None, model)
    return dict(zip(controls.FILL_FIELDS, filled), dataset=dataset, device="cpu")


def _trained(values: dict, shown: str):
    return controls.config_from_form(**form_shown.unstale(values, shown))


def test_a_train_click_that_outran_the_data_sets_fill_trains_that_sets_preset():
    """The click sends ring8 with the digits form's values (the fill was still on its way)."""
    digits, ring = controls.recommended_config("digits"), controls.recommended_config("ring8")
    assert digits.steps != ring.steps and digits.g_optim.lr != ring.g_optim.lr  # else this shows nothing
    stale = dict(_form_of("digits"), dataset="ring8")
    shown = form_shown.form_key("digits")
    cfg = _trained(stale, shown)
    assert (cfg.steps, cfg.g_optim.lr, cfg.width) == (ring.steps, ring.g_optim.lr, ring.width)
    edited = _trained(dict(stale, steps=700, seed=3), shown)  # what the user typed stays
    assert (edited.steps, edited.seed, edited.g_optim.lr) == (700, 3, ring.g_optim.lr)
    as_sent = controls.config_from_form(**form_shown.unstale(stale, ""))  # a script's values: exactly as sent
    assert (as_sent.steps, as_sent.g_optim.lr) == (digits.steps, digits.g_optim.lr)


def test_a_current_form_and_a_loaded_lesson_are_trained_as_they_are():
    form = dict(_form_of("ring8"), steps=900)
    assert form_shown.unstale(form, form_shown.form_key("ring8")) == form
    assert form_shown.unstale(form, "not a key") == form
    lesson = LESSONS["lr-too-high"].config  # its rates are not the ring-8 preset's: kept as loaded
    loaded = dict(controls.form_values(lesson), **controls.style_values(lesson), dataset="ring8", device="cpu")
    shown = form_shown.form_key("ring8", None, "auto", "lr-too-high")
    assert form_shown.unstale(loaded, shown) == loaded
    moons = _trained(dict(loaded, dataset="moons"), shown)  # the lesson, then moons picked and Train at once
    assert moons.g_optim.lr == controls.recommended_config("moons").g_optim.lr != lesson.g_optim.lr


def test_a_click_that_outran_the_stylegan_fill_trains_the_stylegan_preset():
    style = style_controls.recommended_config("mnist")
    stale = dict(_form_of("mnist"), model="stylegan")
    cfg = _trained(stale, form_shown.form_key("mnist"))
    assert isinstance(cfg, StyleGANConfig)
    assert (cfg.steps, cfg.channels, cfg.g_optim.lr) == (style.steps, style.channels, style.g_optim.lr)


def test_the_d_norm_field_trains_d_without_batch_norm_as_the_shipped_mnist_recipe_does():
    from types import SimpleNamespace

    from torch import nn

    from ganlab.families.gan.models import build_pair

    same = controls.config_from_form("digits", "cpu", **GAN_DIGITS)
    assert GAN_DIGITS["d_norm"] == controls.SAME_NORM and same.d_norm is None  # "same as G": the config's None
    cfg = controls.config_from_form("digits", "cpu", **dict(GAN_DIGITS, d_norm="none", r1_weight=1.0))
    assert (cfg.d_norm, cfg.norm, cfg.r1_weight) == ("none", "batch", 1.0)
    g, d = build_pair(cfg, SimpleNamespace(kind="images", shape=(1, 16, 16), num_classes=10, name="digits"))
    assert any(isinstance(m, nn.BatchNorm2d) for m in g.modules())  # G keeps its batch norm...
    assert not any(isinstance(m, nn.BatchNorm2d) for m in d.modules())  # ...D has none
    assert controls.form_values(cfg)["d_norm"] == "none"  # and a form filled from it shows it
    with pytest.raises(ConfigError, match="d_norm"):
        controls.config_from_form("digits", "cpu", **dict(GAN_DIGITS, d_norm="layer"))


def test_a_lesson_or_a_data_set_fill_sets_d_norm_and_a_stale_one_is_not_trained():
    assert dict(zip(controls.FILL_FIELDS, controls.defaults_for("cifar10")))["d_norm"] == controls.SAME_NORM
    assert dict(zip(controls.FILL_FIELDS, controls.defaults_for("digits", None, "stylegan")))["d_norm"] == "none"
    stale = dict(_form_of("digits", "stylegan"), model="dcgan")  # StyleGAN's "none", then dcgan and Train at once
    cfg = _trained(stale, form_shown.form_key("digits", None, "stylegan"))
    assert cfg.d_norm == controls.recommended_config("digits").d_norm


def test_the_mnist_form_trains_the_shipped_mnist_recipe():
    """Picking MNIST fills R1 in a D without batch norm, as pretrained/mnist was trained (#17)."""
    import json
    from pathlib import Path

    values = dict(zip(controls.FILL_FIELDS, controls.defaults_for("mnist")))
    assert (values["d_norm"], values["r1_weight"]) == ("none", 1.0)
    cfg = controls.config_from_form("mnist", "cpu", **values)
    shipped = json.loads((Path(__file__).parents[1] / "pretrained" / "mnist" / "model.json").read_text())["config"]
    recipe = ("d_norm", "norm", "r1_weight", "r1_every", "objective", "z_dim", "ema")  # at its own width and length
    assert {k: getattr(cfg, k) for k in recipe} == {k: shipped[k] for k in recipe}
