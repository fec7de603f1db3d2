"""The training form: widgets <-> TrainConfig, in one place for the Train and Race tabs.

:mod:`ganlab.ui.form_layout` lays the widgets out and returns them by config-ish name;
``form_values(cfg)`` fills them from a config (a data set's recommended
settings or a lesson); ``config_from_form(values)`` turns them back into a
validated config of the family the Model field picks (``family_for``): a
:class:`~ganlab.families.gan.config.TrainConfig`, or a StyleGAN config built by
:mod:`ganlab.ui.style_controls`. Handlers receive the values as keyword arguments
(``inputs_kwargs``), so the API parameter names are the names below.
"""

import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np

from ganlab.families.gan.config import OptimizerConfig, TrainConfig
from ganlab.data import is_points_dataset
from ganlab.data.named import is_unpaired
from ganlab.data.drawn import drawing_to_csv
from ganlab.data.images import data_root
from ganlab.data.toy1d import TOY1D
from ganlab.data.toy2d import TOY2D
from ganlab.engine.devices import list_devices
from ganlab.errors import ConfigError
from ganlab.families import Family, family_for
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.pretrained import pretrained_pair, require_pair
from ganlab.families.stylegan import presets as style_presets
from ganlab.ui import restore_controls, style_controls, uploads
from ganlab.ui.numbers import real_number, whole_number

UPLOAD = "upload"
DRAW = "draw"
DRAWINGS_DIR = Path(tempfile.gettempdir()) / "ganlab-drawings"  # drawn points as CSV, named by content
DEFAULT_DATASET = "digits"
PHOTOS, PHOTO_FOLDER = "summer2winter", "summer2winter_yosemite"  # both train halves, for restoration
TOY_LABELS = {
    "ring8": "Ring of 8 Gaussians",
    "grid25": "Grid of 25 Gaussians",
    "line": "Line",
    "two-gaussians": "Two Gaussians",
    "ring": "Ring",
    "blobs": "Three blobs",
    "spiral": "Spiral",
    "moons": "Two moons",
}
TOY1D_LABELS = {"gauss1d": "One Gaussian", "bimodal1d": "Two Gaussians (bimodal)", "uniform1d": "Uniform"}
# torchvision sets are offered only when their files are under the data root
TORCHVISION_SETS = {
    "mnist": ("MNIST", "MNIST"),
    "fashion": ("Fashion-MNIST", "FashionMNIST"),
    "cifar10": ("CIFAR-10", "cifar-10-batches-py"),
}
OBJECTIVE_LABELS = {
    "minimax": "minimax (original GAN)",
    "nonsaturating": "non-saturating (standard)",
    "lsgan": "least squares (LSGAN)",
    "wgan": "Wasserstein, weight clipping (WGAN)",
    "wgan-gp": "Wasserstein, gradient penalty (WGAN-GP)",
    "hinge": "hinge (SAGAN)",
}
SAME_NORM = "same"  # the form's word for d_norm = None: D normalizes as G does (the `norm` field)
D_NORM_LABELS = {
    SAME_NORM: "same as G",
    "batch": "batch norm",
    "instance": "instance norm",
    "none": "none (keep D in check with R1)",
}


def dataset_choices() -> list[tuple[str, str]]:
    """(label, value) for the data dropdown: 2D sets, 1D sets, digits, torchvision sets found on disk, upload."""
    choices = [(f"2D · {TOY_LABELS.get(n, n)}", n) for n in TOY2D]
    choices += [(f"1D · {TOY1D_LABELS.get(n, n)}", n) for n in TOY1D]
    choices.append(("Images · digits (8x8, offline)", "digits"))
    root = data_root()
    for name, (label, folder) in TORCHVISION_SETS.items():
        if (root / folder).is_dir():
            choices.append((f"Images · {label}", name))
    if (root / PHOTO_FOLDER).is_dir():
        choices.append(("Photos · summer2winter (restoration models)", PHOTOS))
    choices.append(("2D · Draw your own points", DRAW))
    choices.append(("Your file (CSV of x,y points or a zip of images)", UPLOAD))
    return choices


def device_choices() -> list[tuple[str, str]]:
    return [(d.label, d.id) for d in list_devices()]


def form_values(cfg: Any) -> dict[str, Any]:
    """Widget values (FIELDS) that show ``cfg``, a TrainConfig or a StyleGAN config (a model
    family that ``auto`` would pick shows as ``auto``, so one set of values works whatever data
    set is chosen)."""
    if getattr(cfg, "model", None) == style_controls.MODEL:
        return {**_gan_values(recommended_config(cfg.dataset)), **style_controls.shared_values(cfg)}
    return _gan_values(cfg)


def _gan_values(cfg: TrainConfig) -> dict[str, Any]:
    auto = "mlp" if is_points_dataset(cfg.dataset) else "dcgan"
    return dict(
        model="auto" if cfg.model == auto else cfg.model,
        width=cfg.width,
        depth=cfg.depth,
        z_dim=cfg.z_dim,
        noise=cfg.noise,
        objective=cfg.objective,
        gp_weight=cfg.gp_weight,
        clip_value=cfg.clip_value,
        r1_weight=cfg.r1_weight,
        spectral_norm=cfg.spectral_norm,
        g_optimizer=cfg.g_optim.name,
        g_lr=cfg.g_optim.lr,
        d_optimizer=cfg.d_optim.name,
        d_lr=cfg.d_optim.lr,
        beta1=cfg.g_optim.beta1,
        d_steps=cfg.d_steps,
        batch_size=cfg.batch_size,
        steps=cfg.steps,
        seed=cfg.seed,
        ema=cfg.ema,
        d_norm=cfg.d_norm or SAME_NORM,
    )


LATE_FIELDS = ("d_norm",)  # the last /train parameter (new in #17): D's own normalization
FIELDS = tuple(k for k in form_values(TrainConfig()) if k not in LATE_FIELDS)  # the order handlers return values in
STYLE_FIELDS = style_controls.STYLE_FIELDS  # after FIELDS, shown for model = stylegan only
RESTORE_FIELDS = restore_controls.RESTORE_FIELDS  # after STYLE_FIELDS, shown for restoration models only
MODELS = ["auto", "mlp", "dcgan", style_controls.MODEL, *restore_controls.MODELS]
ITERATION_FIELDS = ("g_steps",)  # the last /train parameters (new in #14): G updates per iteration
FILL_FIELDS = (*FIELDS, *STYLE_FIELDS, *LATE_FIELDS)  # what a data set, model or lesson fills, in order
# The form's first values: what gradio_client sends for every /train parameter a script leaves out.
# With preset_defaults (an API call's default), a value still equal to its entry here is taken as
# "not given", so the data set's preset fills it (the browser's form sends preset_defaults=False).
API_DEFAULTS: dict[str, Any] = {}


def same(a: Any, b: Any) -> bool:
    """Whether a form value equals a preset's (1500 and 1500.0 are the same number)."""
    if isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        return float(a) == float(b)
    return a == b


def drop_api_defaults(values: dict[str, Any]) -> dict[str, Any]:
    """``values`` without the parameters left at the form's first value (the preset fills those)."""
    return {k: v for k, v in values.items() if not (k in API_DEFAULTS and same(v, API_DEFAULTS[k]))}


def style_values(cfg: Any) -> dict[str, Any]:
    """The style widgets' values: ``cfg``'s when it is a StyleGAN config, else the defaults."""
    is_style = getattr(cfg, "model", None) == style_controls.MODEL
    return style_controls.style_values(cfg if is_style else None)


def drawn_image(drawing: Any) -> Any:
    """The picture in a Sketchpad value (its composite, else its first layer): a file path from
    the canvas (see ganlab.ui.uploads), or an array or PIL image from a direct caller; None when empty."""
    if isinstance(drawing, dict):
        layers = [layer for layer in drawing.get("layers") or [] if layer is not None]
        return drawing.get("composite") if drawing.get("composite") is not None else (layers or [None])[0]
    return drawing


def dataset_name(dataset: str, upload: str | None, drawing: Any = None) -> str:
    """The data set name the core understands (an upload becomes ``csv:PATH`` or ``zip:PATH``,
    a drawing the ``csv:PATH`` of its points)."""
    if dataset == DRAW:
        image = drawn_image(drawing)
        if image is None:
            raise ConfigError("dataset: draw some strokes on the canvas first")
        pixels = np.asarray(uploads.open_upload(image, "drawing"))  # safe decode; gr.Error if unusable
        return f"csv:{drawing_to_csv(pixels, DRAWINGS_DIR)}"
    if dataset != UPLOAD:
        return dataset
    if not upload:
        raise ConfigError("dataset: upload a CSV of points (columns x,y) or a zip of images first")
    suffix = Path(upload).suffix.lower()
    if suffix in (".csv", ".txt"):
        return f"csv:{upload}"
    if suffix == ".zip":
        return f"zip:{upload}"
    raise ConfigError(f"dataset: {Path(upload).name} is neither a .csv of points nor a .zip of images")


def _parsed(values: dict[str, Any]) -> dict[str, Any]:
    """The form's values that were given, with numbers as numbers (ConfigError names a bad one)."""
    ints = ("width", "depth", "z_dim", "d_steps", "g_steps", "batch_size", "steps", "seed", *style_controls.STYLE_INTS)
    floats = ("gp_weight", "clip_value", "r1_weight", "g_lr", "d_lr", "beta1", "ema", *style_controls.STYLE_FLOATS)
    v = {
        k: values[k]
        for k in (*FILL_FIELDS, *RESTORE_FIELDS, *ITERATION_FIELDS)
        if k in values and values[k] is not None
    }
    for k in ints:
        if k in v:
            v[k] = whole_number(k, v[k])
    for k in floats:
        if k in v:
            v[k] = real_number(k, v[k])
    return v


def family_of(cfg: Any) -> Family:
    """The family that trains ``cfg`` (from its model, through the registry)."""
    return family_for(model=cfg.model, dataset=cfg.dataset)


def model_facts(cfg: Any) -> dict[str, str]:
    """The model and family of a run's config, for the status JSON (``auto`` resolved)."""
    model = cfg.model
    if model == "auto":
        model = "mlp" if is_points_dataset(cfg.dataset) else "dcgan"
    return {"model": model, "family": family_of(cfg).name}


def config_from_form(dataset: str, device: str, upload: str | None = None, drawing: Any = None, **values: Any) -> Any:
    """A validated config of the family the Model field picks; ConfigError names the first bad field."""
    name = dataset_name(dataset, upload, drawing)
    v = _parsed(values)
    restoring = restore_controls.is_restore_model(v.get("model"))
    if is_unpaired(name) and not restoring:
        raise ConfigError(
            f"model: {name} is a set of photos; here it trains a restoration model (pix2pix, "
            "srresnet or srgan). Train a CycleGAN on it in the Train CycleGAN tab"
        )
    family = family_for(model=v.get("model"), dataset=name)
    if family.name == style_controls.MODEL:
        return style_controls.config_from_values(name, device, v)
    if restoring:
        return restore_controls.config_from_values(name, device, v)
    return _gan_config(name, device, v)


def start_options(cfg: Any, from_pretrained: Any = False) -> dict[str, Any]:
    """The family start's options from the form: ``from_pretrained`` (a 2D GAN run begins from the
    shipped trained pair); GanLabError naming the sets that have one when ``cfg``'s has none."""
    if not from_pretrained:
        return {}
    require_pair(cfg.dataset)  # image data, a drawing, an upload: say which sets have a pair
    if family_of(cfg).name != "gan":
        raise ConfigError(f"from_pretrained: the shipped pairs are 2D GANs; model {cfg.model!r} cannot start from one")
    return {"from_pretrained": True}


def has_pair(dataset: str) -> bool:
    """Whether the form offers 'start from the shipped trained pair' for this data choice."""
    return dataset not in (UPLOAD, DRAW) and pretrained_pair(dataset) is not None


def _gan_config(name: str, device: str, v: dict[str, Any]) -> TrainConfig:
    """A validated TrainConfig for data set ``name`` from parsed form values."""
    v = {k: val for k, val in v.items() if k in (*FIELDS, *ITERATION_FIELDS, *LATE_FIELDS)}
    base = recommended_config(name)
    beta1 = v.pop("beta1", base.g_optim.beta1)
    g = OptimizerConfig(
        v.pop("g_optimizer", base.g_optim.name), v.pop("g_lr", base.g_optim.lr), beta1, base.g_optim.beta2
    )
    d = OptimizerConfig(
        v.pop("d_optimizer", base.d_optim.name), v.pop("d_lr", base.d_optim.lr), beta1, base.d_optim.beta2
    )
    if "spectral_norm" in v:
        v["spectral_norm"] = bool(v["spectral_norm"])
    if v.get("d_norm") == SAME_NORM:
        v["d_norm"] = None
    return base.updated(device=device or "auto", g_optim=g, d_optim=d, **v).validate()


def defaults_for(dataset: str, upload: str | None = None, model: str | None = None) -> list[Any]:
    """Recommended values (FILL_FIELDS: FIELDS, STYLE_FIELDS, LATE_FIELDS) when the data set or model changes: the
    StyleGAN preset while stylegan is chosen for image data, else the GAN one; unchanged on an
    empty upload."""
    if dataset == DRAW:  # the drawing is read at Train; its settings are any CSV's
        dataset = "csv:drawing"
    try:
        name = dataset_name(dataset, upload)
    except ConfigError:
        return [gr.skip()] * len(FILL_FIELDS)
    style = model == style_controls.MODEL and not is_points_dataset(name)
    cfg = style_presets.recommended_config(name) if style else recommended_config(name)
    values, extra = form_values(cfg), style_values(cfg)
    if model and model != style_controls.MODEL and not is_points_dataset(name):
        values["model"] = model  # keep the user's mlp/dcgan/auto (or restoration model)
    if restore_controls.is_restore_model(model) and not is_points_dataset(name):
        values.update(restore_controls.form_defaults(name))
    filled = {**values, **extra}
    return [filled[k] for k in FILL_FIELDS]


def is_points(dataset: str, upload: str | None = None) -> bool:
    if dataset == DRAW:
        return True
    try:
        return is_points_dataset(dataset_name(dataset, upload))
    except ConfigError:
        return False
