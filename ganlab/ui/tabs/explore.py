"""Explore tab: open a generator, pick a seed, truncation and class, and move along its latent space.

Stable API endpoint: ``generate(checkpoint, seed, truncation, label) -> image``.
Everything heavy (loading, principal directions, drawing) lives in
:mod:`ganlab.inference.explore`; this module only wires widgets to it.
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path
from typing import Any

import gradio as gr

from ganlab.inference import explore
from ganlab.inference.upload import unpack_upload
from ganlab.inference.catalog import list_generators
from ganlab.errors import GanLabError
from ganlab.ui import sessions, uploads

TOL = 0.006  # a z slider within this of the seed's value counts as untouched (slider step 0.01)
# "upload/NAME" -> unpacked folder, per browser session; the folder goes when the session does
_UPLOADS = sessions.Uploads(cleanup=lambda folder: shutil.rmtree(folder, ignore_errors=True))
PREFERRED = ("mnist", "fashion", "mnist-conditional", "digits", "ring")


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
def generate(checkpoint: str, seed: int, truncation: float = 1.0, label: str | None = None,
             request: gr.Request | None = None):
    """The picture for one seed: image models give an image, 2D models the point over G's cloud."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    z = explore.code(loaded, seed, psi=explore.check_psi(truncation))
    return explore.render(loaded, z, explore.class_index(loaded, label))


def _edited_code(loaded: explore.Loaded, seed: Any, psi: Any, pcs: list[float], dims: list[float]):
    base = explore.code(loaded, seed)[0]
    values = []
    for i, v in enumerate(dims[: loaded.z_dim]):  # keep the seed's own value unless the slider moved
        seed_value = min(max(float(base[i]), -4.0), 4.0)
        values.append(float(base[i]) if v is None or abs(float(v) - seed_value) <= TOL else float(v))
    return explore.code(loaded, seed, values, [float(p or 0) for p in pcs], explore.check_psi(psi))


@friendly
def edit(checkpoint: str, seed: int, truncation: float, label: str | None, direction: str, span: float,
         *sliders: float, request: gr.Request | None = None):
    """Sliders moved: the picture and the strip for seed + direction offsets + edited z dims."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    pcs, dims = list(sliders[: explore.DIRECTIONS]), list(sliders[explore.DIRECTIONS:])
    z = _edited_code(loaded, seed, truncation, pcs, dims)
    index = explore.class_index(loaded, label)
    return explore.render(loaded, z, index), explore.walk_strip(loaded, z, direction, float(span), 9, index)


def slider_updates(loaded: explore.Loaded | None, seed: Any) -> list:
    """Direction sliders back to 0 and z sliders to the seed's values; hide what the model lacks."""
    if loaded is None:
        return [gr.update(value=0)] * explore.DIRECTIONS + [gr.update(value=0)] * explore.Z_SLIDERS
    z = explore.code(loaded, seed)[0]
    pcs = [gr.update(value=0, visible=i < min(explore.DIRECTIONS, loaded.z_dim))
           for i in range(explore.DIRECTIONS)]
    dims = [gr.update(value=round(min(max(float(z[i]), -4.0), 4.0), 2) if i < loaded.z_dim else 0,
                      visible=i < loaded.z_dim) for i in range(explore.Z_SLIDERS)]
    return pcs + dims


@friendly
def reset_controls(checkpoint: str, seed: int, truncation: float, label: str | None, direction: str, span: float,
                   request: gr.Request | None = None):
    """After a new seed: sliders at the seed's values, and its strip."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    z = explore.code(loaded, seed, psi=explore.check_psi(truncation))
    strip = explore.walk_strip(loaded, z, direction, float(span), 9, explore.class_index(loaded, label))
    return [strip] + slider_updates(loaded, seed)


@friendly
def choose_checkpoint(checkpoint: str, seed: int, request: gr.Request | None = None):
    """A new checkpoint: its card, class list, direction names and slider layout."""
    loaded = resolve_checkpoint(checkpoint, sessions.session_of(request))
    klass = gr.update(choices=loaded.class_names, value=loaded.class_names[0] if loaded.conditional else None,
                      visible=loaded.conditional)
    names = explore.direction_names(loaded)
    direction = gr.update(choices=names, value=names[0])
    return [loaded.card(), klass, direction] + slider_updates(loaded, seed)


def _initial(checkpoint: str | None) -> dict[str, Any]:
    """Build-time values, so the tab shows a sample before any event fires."""
    try:
        loaded = resolve_checkpoint(checkpoint)
        z = explore.code(loaded, 0)
        label = explore.class_index(loaded, None)
        return {"loaded": loaded, "image": explore.render(loaded, z, label), "card": loaded.card(),
                "strip": explore.walk_strip(loaded, z, "PC1", 3.0, 9, label),
                "directions": explore.direction_names(loaded)}
    except GanLabError as exc:
        return {"loaded": None, "image": None, "strip": None, "card": f"*{exc}*", "directions": ["PC1"]}


def list_for_session(request: gr.Request | None = None):
    """The dropdown's choices as this session sees them."""
    return gr.update(choices=checkpoint_choices(sessions.session_of(request)))


@friendly
def upload_checkpoint(files: Any, request: gr.Request | None = None):
    """An upload: checked (size, format, never unpickled), then offered to this session only."""
    return sessions.dropdown_after_upload(register_upload, checkpoint_choices, files, request)


# -- layout -------------------------------------------------------------------------------

def build_explore_tab() -> dict[str, Any]:
    """Lay out the Explore tab inside the current ``gr.Blocks``; returns its components by name."""
    names = checkpoint_choices()
    first = default_checkpoint(names)
    init = _initial(first)
    loaded = init["loaded"]
    conditional = bool(loaded and loaded.conditional)
    gr.Markdown("Pick a generator and a seed, then move through its latent space. "
                "**Principal directions** are the main ways its early features vary (GANSpace); "
                "**truncation ψ** < 1 pulls the code toward the average for cleaner, less varied samples.")
    with gr.Row():
        with gr.Column(scale=1, min_width=280):
            checkpoint = gr.Dropdown(names, value=first, label="Checkpoint", allow_custom_value=True,
                                     info="shipped models, runs saved from the Train tab, or an upload")
            refresh = gr.Button("Refresh list", size="sm")
            upload = gr.File(label="Upload a checkpoint (.zip, or model.json + model.safetensors)",
                             file_count="multiple", file_types=[".zip", ".json", ".safetensors"], height=120)
            card = gr.Markdown(init["card"])
            with gr.Row():
                seed = gr.Number(0, label="Seed", precision=0, minimum=0, scale=2)
                random_seed = gr.Button("Random", scale=1)
            psi = gr.Slider(0, 1.5, value=1.0, step=0.05, label="Truncation ψ")
            label = gr.Dropdown(loaded.class_names if conditional else [],
                                value=loaded.class_names[0] if conditional else None,
                                label="Class", visible=conditional, allow_custom_value=True)
        with gr.Column(scale=2):
            image = gr.Image(init["image"], label="Sample", type="pil", format="png", interactive=False, height=300)
            with gr.Accordion("Principal directions (in σ)", open=True):
                k = min(explore.DIRECTIONS, loaded.z_dim) if loaded else explore.DIRECTIONS
                pcs = [gr.Slider(-3, 3, value=0, step=0.1, label=f"PC{i + 1}", visible=i < k)
                       for i in range(explore.DIRECTIONS)]
            with gr.Accordion("Individual z dimensions", open=False):
                z0 = explore.code(loaded, 0)[0] if loaded else None
                dims = [gr.Slider(-4, 4, step=0.01, label=f"z[{i}]",
                                  value=round(min(max(float(z0[i]), -4), 4), 2) if z0 is not None and i < len(z0) else 0,
                                  visible=loaded is None or i < loaded.z_dim)
                        for i in range(explore.Z_SLIDERS)]
            with gr.Row():
                direction = gr.Dropdown(init["directions"], value=init["directions"][0], label="Strip along")
                span = gr.Slider(0.5, 5, value=3, step=0.5, label="Strip range ±k σ")
            strip = gr.Image(init["strip"], label="Strip: −k … +k", type="pil", format="png", interactive=False)

    uploads.pass_paths(upload)  # a wrong kind of file is refused naming it
    sessions.name_errors({"seed": seed, "truncation": psi, "label": label})
    common = [checkpoint, seed, psi, label]
    fast = dict(show_progress="hidden", trigger_mode="always_last")
    seed.change(generate, common, image, api_name="generate", **fast).then(
        reset_controls, common + [direction, span], [strip] + pcs + dims, api_visibility="private", **fast)
    for control in (psi, label, direction, span):
        control.change(edit, common + [direction, span] + pcs + dims, [image, strip],
                       api_visibility="private", **fast)
    for slider in pcs + dims:
        slider.input(edit, common + [direction, span] + pcs + dims, [image, strip],
                     api_visibility="private", **fast)
    random_seed.click(lambda: random.randrange(2**31), None, seed, api_visibility="private")
    checkpoint.change(choose_checkpoint, [checkpoint, seed], [card, label, direction] + pcs + dims,
                      api_visibility="private").then(
        edit, common + [direction, span] + pcs + dims, [image, strip], api_visibility="private")
    refresh.click(list_for_session, None, checkpoint, api_visibility="private")
    # "undocumented": callable by gradio_client (scripts, the robustness tests) but not in the API page
    upload.upload(upload_checkpoint, upload, checkpoint, api_name="explore_upload",
                  api_visibility="undocumented")
    return {"checkpoint": checkpoint, "seed": seed, "truncation": psi, "label": label, "image": image,
            "strip": strip, "pcs": pcs, "dims": dims, "direction": direction, "span": span}


build = build_explore_tab  # the name ganlab.ui.app's TABS registry calls
