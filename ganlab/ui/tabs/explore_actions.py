"""Explore tab handlers: load a generator, draw a seed, move along its directions (plain functions:
the API, the MCP tools and the tests call them too; :mod:`ganlab.ui.tabs.explore` lays them out).

Stable API endpoint: ``generate(checkpoint, seed, truncation, label) -> image`` (any checkpoint
with a generator: a plain GAN, or a StyleGAN, truncated in W). Everything heavy (loading,
principal directions, drawing) lives in :mod:`ganlab.inference.explore`.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import gradio as gr

from ganlab.errors import GanLabError
from ganlab.inference import directions, explore
from ganlab.inference.catalog import list_generators
from ganlab.inference.upload import unpack_upload
from ganlab.ui import sessions

TOL = 0.006  # a z slider within this of the seed's value counts as untouched (slider step 0.01)
# "upload/NAME" -> unpacked folder, per browser session; the folder goes when the session does
_UPLOADS = sessions.Uploads(cleanup=lambda folder: shutil.rmtree(folder, ignore_errors=True))
PREFERRED = ("mnist", "fashion", "mnist-conditional", "digits", "ring")
BASIS_CHOICES = [(label, name) for name, label in directions.BASES.items()]


friendly = sessions.friendly  # bad input -> one-line gr.Error, never a traceback


# -- checkpoints ---------------------------------------------------------------------


def checkpoint_choices(session: str | None = None) -> list[str]:
    """Every generator checkpoint by name: shipped ones, saved runs (``runs/NAME``), this session's uploads."""
    return [e.name for e in list_generators()] + _UPLOADS.names(session)


def default_checkpoint(names: list[str] | None = None) -> str | None:
    names = checkpoint_choices() if names is None else names
    for name in PREFERRED:
        if name in names:
            return name
    return names[0] if names else None


def resolve_checkpoint(name: str | None, session: str | None = None) -> explore.Loaded:
    """A dropdown value (a catalog name or an upload) -> the loaded generator. Arbitrary server
    paths are refused: an API caller can open only what the dropdown offers."""
    if not name or not str(name).strip():
        raise GanLabError("choose a checkpoint first")
    name = str(name).strip()
    upload = _UPLOADS.get(session, name)
    if upload is not None:
        return explore.open_generator(upload)
    for entry in list_generators():
        if entry.name == name:
            return explore.open_generator(entry.path)
    choices = ", ".join(checkpoint_choices(session)) or "none"
    raise GanLabError(f"unknown checkpoint {name!r}; choose one of: {choices}")


def register_upload(files: Any, session: str | None = None) -> str:
    """Unpack an uploaded checkpoint and give it a dropdown name ``upload/NAME`` (seen by ``session`` only)."""
    paths = sessions.check_uploads(files)
    folder = unpack_upload(paths)
    loaded = explore.open_generator(folder)
    return _UPLOADS.add(session, f"upload/{loaded.meta.get('name') or Path(paths[0]).stem}", folder)


# -- handlers (plain functions: the API and the tests call them too) ---------------------


@friendly
def generate(
    checkpoint: str, seed: int, truncation: float = 1.0, label: str | None = None, request: gr.Request | None = None
):
    """The picture for one seed: image models give an image, 2D models the point over G's cloud.

    Args:
        checkpoint: a generator's name from list_checkpoints (e.g. "mnist", "digits-style", "ring").
        seed: which latent code; the same seed always gives the same picture.
        truncation: psi in [0, 1]; below 1 pulls the code toward the average (more typical, less varied).
        label: the class to draw, for a class-conditional model (e.g. "7"); empty otherwise.
    """
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    lat = explore.point(loaded, seed, explore.check_psi(truncation), label=explore.class_index(loaded, label))
    return explore.show(loaded, lat)


def _edited_dims(loaded: explore.Loaded, seed: Any, dims: list[float]) -> list[float]:
    """The z dims to use: the seed's own value unless the slider moved off it."""
    base = explore.code(loaded, seed)[0]
    values = []
    for i, v in enumerate(dims[: loaded.z_dim]):
        seed_value = min(max(float(base[i]), -4.0), 4.0)
        values.append(float(base[i]) if v is None or abs(float(v) - seed_value) <= TOL else float(v))
    return values


def check_basis(loaded: explore.Loaded, basis: Any) -> str:
    """The W basis named by the Directions choice (plain models have one basis: PCA of features)."""
    if not loaded.has_w or basis in (None, ""):
        return "ganspace"
    if basis not in directions.BASES:
        raise GanLabError(f"directions must be one of {', '.join(directions.BASES)}, got {basis!r}")
    return str(basis)


@friendly
def view(
    checkpoint: str,
    seed: int,
    truncation: float,
    label: str | None,
    direction: str,
    span: float,
    basis: str | None,
    coarse_only: bool,
    noise_seed: Any,
    *sliders: float,
    request: gr.Request | None = None,
):
    """Any control moved: the picture and the strip for seed + direction offsets + edited z dims
    (in W, with the chosen basis, coarse-only ψ and noise seed, for a style-based model)."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    pcs, dims = list(sliders[: explore.DIRECTIONS]), list(sliders[explore.DIRECTIONS :])
    basis = check_basis(loaded, basis)
    noise = explore.check_noise_seed(noise_seed) if loaded.has_w else None
    lat = explore.point(
        loaded,
        seed,
        explore.check_psi(truncation),
        [float(p or 0) for p in pcs],
        _edited_dims(loaded, seed, dims),
        explore.class_index(loaded, label),
        basis,
        bool(coarse_only) and loaded.has_w,
    )
    return (explore.show(loaded, lat, noise), explore.strip_of(loaded, lat, direction, float(span), 9, basis, noise))


@friendly
def edit(
    checkpoint: str,
    seed: int,
    truncation: float,
    label: str | None,
    direction: str,
    span: float,
    *sliders: float,
    request: gr.Request | None = None,
):
    """:func:`view` with the W controls at their defaults (GANSpace, ψ on every layer, default noise)."""
    return view(
        checkpoint, seed, truncation, label, direction, span, "ganspace", False, None, *sliders, request=request
    )


def direction_label(basis: str, i: int) -> str:
    """Slider i's name: "SeFa 1".. for SeFa, "PC1".. for principal components (in W or features)."""
    return f"SeFa {i + 1}" if basis == "sefa" else f"PC{i + 1}"


def slider_updates(loaded: explore.Loaded | None, seed: Any, basis: str = "ganspace") -> list:
    """Direction sliders back to 0 and z sliders to the seed's values; hide what the model lacks."""
    if loaded is None:
        return [gr.update(value=0)] * explore.DIRECTIONS + [gr.update(value=0)] * explore.Z_SLIDERS
    z = explore.code(loaded, seed)[0]
    pcs = [
        gr.update(value=0, label=direction_label(basis, i), visible=i < explore.direction_count(loaded))
        for i in range(explore.DIRECTIONS)
    ]
    dims = [
        gr.update(value=round(min(max(float(z[i]), -4.0), 4.0), 2) if i < loaded.z_dim else 0, visible=i < loaded.z_dim)
        for i in range(explore.Z_SLIDERS)
    ]
    return pcs + dims


@friendly
def reset_controls(
    checkpoint: str,
    seed: int,
    truncation: float,
    label: str | None,
    direction: str,
    span: float,
    basis: str | None = None,
    coarse_only: bool = False,
    noise_seed: Any = None,
    request: gr.Request | None = None,
):
    """After a new seed: its picture and strip with the sliders at the seed's values (the W
    controls kept), and the sliders themselves."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    image, strip = view(
        checkpoint, seed, truncation, label, direction, span, basis, coarse_only, noise_seed, request=request
    )
    return [image, strip] + slider_updates(loaded, seed, check_basis(loaded, basis))


def w_updates(loaded: explore.Loaded | None) -> list:
    """The W-only controls (Directions, coarse-only ψ, noise row) shown for a style-based model only;
    the basis back to GANSpace, as the sliders' "PC" names say."""
    w = bool(loaded and loaded.has_w)
    return [gr.update(value="ganspace", visible=w), gr.update(visible=w), gr.update(visible=w), gr.update(visible=w)]


def resample_noise() -> int:
    """A fresh noise seed: the same w drawn with other per-layer noise (stroke texture, not the digit)."""
    return random.randrange(2**31)


@friendly
def relabel_sliders(checkpoint: str, basis: str | None, request: gr.Request | None = None):
    """A new W basis: sliders back to 0, named for the basis."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    basis = check_basis(loaded, basis)
    return [gr.update(value=0, label=direction_label(basis, i)) for i in range(explore.DIRECTIONS)]


@friendly
def choose_checkpoint(checkpoint: str, seed: int, request: gr.Request | None = None):
    """A new checkpoint: its card, class list, direction names and slider layout."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    klass = gr.update(
        choices=loaded.class_names,
        value=loaded.class_names[0] if loaded.conditional else None,
        visible=loaded.conditional,
    )
    names = explore.direction_names(loaded)
    direction = gr.update(choices=names, value=names[0])
    return [loaded.card(), klass, direction] + w_updates(loaded) + slider_updates(loaded, seed)


def initial_state(checkpoint: str | None) -> dict[str, Any]:
    """Build-time values, so the tab shows a sample before any event fires."""
    try:
        loaded = resolve_checkpoint(checkpoint)
        lat = explore.point(loaded, 0, label=explore.class_index(loaded, None))
        return {
            "loaded": loaded,
            "image": explore.show(loaded, lat),
            "card": loaded.card(),
            "strip": explore.strip_of(loaded, lat, "PC1", 3.0, 9),
            "directions": explore.direction_names(loaded),
        }
    except GanLabError as exc:
        return {"loaded": None, "image": None, "strip": None, "card": f"*{exc}*", "directions": ["PC1"]}


def list_for_session(request: gr.Request | None = None):
    """The dropdown's choices as this session sees them."""
    return gr.update(choices=checkpoint_choices(sessions.session_of(request)))


@friendly
def upload_checkpoint(files: Any, request: gr.Request | None = None):
    """An upload: checked (size, format, never unpickled), then offered to this session only."""
    return sessions.dropdown_after_upload(register_upload, checkpoint_choices, files, request)
