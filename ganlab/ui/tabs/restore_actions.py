"""The Restore tab's handlers: plain functions, so the API, the page and the tests call the same code.

Stable API endpoint: ``restore(image, model, mask=None, sigma=None) -> image`` where ``mask`` is a
grayscale image of the input's size, white (> 127) where to fill, and ``sigma`` the noise a
denoiser adds first (ignored by the other tasks). In the page the mask is drawn on the editor and
:func:`editor_parts` turns the drawing into that mask, so the page and the API share one endpoint.
"""

from __future__ import annotations

import functools
import random
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image

from ganlab.errors import GanLabError
from ganlab.families.restore.degrade import TASKS
from ganlab.inference import restore_demo as rd
from ganlab.inference.restore import Restorer, load_restorer, mask_tensor, restore
from ganlab.ui import sessions, uploads

TASK_CHOICES = [("x4 upscale", "sr4"), ("denoise", "denoise"), ("inpaint", "inpaint")]
TASK_NAMES = {value: label for label, value in TASK_CHOICES}
PREFERRED = ("photo-sr4", "photo-sr4-psnr", "mnist-inpaint", "fashion-denoise")  # shipped defaults first
NO_IMAGE = "image: upload a photo or digit, take one with the webcam, or pick an example first"
NO_MASK = (
    "mask: draw the hole on the image with the brush (or press Random box) first; "
    "through the API send a grayscale mask, white where to fill"
)
EDITOR_LABELS = {  # the editor says what the picture is for under each task (the brush only matters to inpaint)
    "sr4": "Picture to upscale x4 (a small photo or digit)",
    "denoise": "Picture to denoise (noise at the slider's sigma is added first)",
    "inpaint": "Picture to inpaint: paint the hole on it with the brush",
}
HOLE_RGBA = (255, 59, 48, 255)  # how a random box is painted on the editor (the brush's colour)

friendly = sessions.friendly  # bad input -> one-line gr.Error, never a traceback


# -- models ------------------------------------------------------------------------------


def model_choices(task: str | None) -> list[str]:
    """Restoration models for ``task`` by name: shipped first (preferred ones on top), then saved runs."""
    names = [m.name for m in rd.list_models(task)]
    return sorted(names, key=lambda n: PREFERRED.index(n) if n in PREFERRED else len(PREFERRED))


def default_task() -> str:
    """The first task that has a model to run (x4 when none has)."""
    return next((task for _, task in TASK_CHOICES if model_choices(task)), "sr4")


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: float) -> Restorer:
    return load_restorer(path, "cpu")


def model_info(name: str | None) -> rd.ModelInfo:
    """A dropdown value -> its listed model's card, without loading weights (never a server path)."""
    if not name or not str(name).strip():
        raise GanLabError(
            "model: choose a restoration model first (train one in the Train tab or the CLI if the list is empty)"
        )
    name = str(name).strip()
    for info in rd.list_models():
        if info.name == name:
            return info
    known = ", ".join(model_choices(None)) or "none yet"
    raise GanLabError(f"model: unknown model {name!r}; choose one of: {known}")


def resolve_model(name: str | None) -> tuple[rd.ModelInfo, Restorer]:
    """A dropdown value -> the model, loaded (cached until its weights change)."""
    info = model_info(name)
    return info, _load(str(info.path), (info.path / "model.safetensors").stat().st_mtime)


def model_card(name: str | None) -> str:
    """What the chosen model is, in two lines (or why there is none)."""
    try:
        info, r = resolve_model(name)
    except GanLabError as exc:
        return f"*{exc}*"
    params = sum(p.numel() for p in r.G.parameters())
    where = "shipped" if info.shipped else "saved run"
    card = (
        f"**{info.name}** ({where}): {info.label} for {TASK_NAMES.get(info.task, info.task)}, "
        f"trained on {info.dataset}, {'gray' if info.channels == 1 else 'RGB'}, {params:,} parameters"
    )
    m = info.metrics
    if info.card:
        card += f"\n\n{info.card}"
    test = m.get("eval") or {}
    if {"restored", "baseline", "baseline_name"} <= set(test):
        card += (
            f"\n\nTest split ({test.get('n')} images, {test.get('degradation')}): PSNR "
            f"{test['restored']['psnr']:.2f} dB / SSIM {test['restored']['ssim']:.3f} "
            f"({test['baseline_name']} {test['baseline']['psnr']:.2f} dB / {test['baseline']['ssim']:.3f})"
        )
        acc = test.get("classifier_accuracy")
        if acc:
            card += "; classifier accuracy " + ", ".join(f"{k} {v:.0%}" for k, v in acc.items())
    elif {"val_psnr", "val_ssim", "baseline_psnr", "baseline_ssim"} <= set(m):
        card += (
            f"\n\nHeld-out PSNR {m['val_psnr']:.2f} dB / SSIM {m['val_ssim']:.3f} "
            f"(trivial baseline {m['baseline_psnr']:.2f} dB / {m['baseline_ssim']:.3f})"
        )
    return card


# -- inputs -------------------------------------------------------------------------------


def _image(value: Any) -> Image.Image:
    if value is None:
        raise GanLabError(NO_IMAGE)
    return uploads.open_upload(value, "image")


def _checked_mask(value: Any, info: rd.ModelInfo, size: tuple[int, int]) -> Image.Image | None:
    """The API's mask: required (and the image's size, not all black) for inpainting, refused otherwise."""
    mask = None if value is None else uploads.open_upload(value, "mask")
    if info.task != "inpaint":
        if mask is not None:
            raise GanLabError(
                f"mask: {info.name} does {TASK_NAMES[info.task]}; a mask is only for inpainting (send None)"
            )
        return None
    if mask is None:
        raise GanLabError(NO_MASK)
    mask_tensor(mask, size, "mask")  # refuses a wrong size or an all-black mask, saying which
    return mask


def _prepared(image: Any, model: str | None, mask: Any, sigma: float | None):
    """The model, the bounded image and mask, and sigma: every check made before any work."""
    image = _image(image)
    info, r = resolve_model(model)
    sigma = rd.check_sigma(sigma)
    mask = _checked_mask(mask, info, image.size)
    small, scaled = rd.bound(image, info.task)
    if scaled and mask is not None:
        mask = mask.resize(small.size, Image.NEAREST)
    return info, r, small, mask, (sigma if info.task == "denoise" else None), scaled


@friendly
def restore_image(image: Any, model: str | None, mask: Any = None, sigma: float | None = None) -> Image.Image:
    """Restore a picture with a pix2pix or SRGAN model: x4 super-resolution, denoising or inpainting.

    Args:
        image: the picture to restore (a file or URL).
        model: a restoration model's name from list_checkpoints (kind "restore", e.g. "photo-sr4",
            "fashion-denoise", "mnist-inpaint").
        mask: for inpainting only: a black-and-white picture of the image's size, white where to fill in.
        sigma: for denoising only: first add Gaussian noise of this level in [0, 1] (seeded), to see the
            model at work; empty or 0 denoises the picture as given.

    Returns:
        The restored picture (4x the size for an x4 model).
    """
    _, r, image, mask, sigma, _ = _prepared(image, model, mask, sigma)
    return restore(r, image, mask, sigma)


def _scaled_note(info: rd.ModelInfo, original: Image.Image, used: Image.Image) -> str:
    return (
        f"The image was {original.width}x{original.height}: it was scaled down to {used.width}x{used.height} "
        f"first ({TASK_NAMES[info.task]} takes at most {rd.MAX_SIDE[info.task]} px on the longer side here)."
    )


@friendly
def before_after(image: Any, restored: Any, model: str | None, mask: Any = None, sigma: float | None = None):
    """(what the model was given, what it returned) at one size for the slider, and a note."""
    if image is None or restored is None:
        return None, ""
    original = _image(image)
    info, r, small, mask, sigma, scaled = _prepared(original, model, mask, sigma)
    after = uploads.open_upload(restored, "restored image")
    note = _scaled_note(info, original, small) if scaled else ""
    return (rd.input_view(r, small, after.size, mask, sigma), after), note


# -- the editor -------------------------------------------------------------------------------


def _editor_background(editor: Any) -> Any:
    background = editor.get("background") if isinstance(editor, dict) else editor
    if background is None:
        raise GanLabError(NO_IMAGE)
    return background


def _drawn_mask(editor: Any, size: tuple[int, int]) -> Image.Image | None:
    """The union of the editor's drawn layers as a white-is-hole mask at ``size`` (None: nothing drawn)."""
    masks = [
        rd.layer_mask(uploads.open_layer(layer, "drawn mask"), size)
        for layer in (editor.get("layers") or [] if isinstance(editor, dict) else [])
        if layer is not None
    ]
    masks = [m for m in masks if m is not None]
    if not masks:
        return None
    union = masks[0]
    for m in masks[1:]:
        union = Image.fromarray(np.maximum(np.asarray(union), np.asarray(m)), "L")
    return union


def _model_for(task: str, model: str | None) -> rd.ModelInfo:
    """The model to run for ``task``. The dropdown only lists the task's models, so a model for
    another task is one the click sent before the task change's new list reached the page: run the
    model that change puts in the dropdown (the task's first), as the user then sees it."""
    info = model_info(model)
    if info.task == task:
        return info
    names = model_choices(task)
    if not names:
        raise GanLabError(
            f"model: {info.name} does {TASK_NAMES[info.task]}, and no model does {TASK_NAMES[task]} yet; "
            "train one in the Train tab or the CLI"
        )
    return model_info(names[0])


@friendly
def editor_parts(editor: Any, task: str, model: str | None):
    """The page's wrapper around /restore: the editor's picture, the model's name and (for
    inpainting) the drawn mask, for a model that does the chosen task."""
    if task not in TASKS:
        raise GanLabError(f"task: choose one of {', '.join(TASK_NAMES.values())}")
    background = _editor_background(editor)
    info = _model_for(task, model)
    if task != "inpaint":
        return background, info.name, None
    mask = _drawn_mask(editor, _image(background).size)
    if mask is None:
        raise GanLabError(NO_MASK)
    return background, info.name, mask


@friendly
def random_box(editor: Any, seed: int | None = None) -> dict[str, Any]:
    """The editor with a random box painted as its layer: a hole to fill (draw more if you like)."""
    background = _editor_background(editor)
    image = _image(background)
    mask = rd.random_box(image.size, random.randrange(2**31) if seed is None else seed)
    layer = Image.new("RGBA", image.size, (0, 0, 0, 0))
    layer.paste(Image.new("RGBA", image.size, HOLE_RGBA), mask=mask)
    composite = Image.alpha_composite(image.convert("RGBA"), layer)
    return {"background": background, "layers": [layer], "composite": composite}


# -- degrade, then restore ----------------------------------------------------------------------


def _demo_models(info: rd.ModelInfo, r: Restorer) -> list[tuple[str, Restorer]]:
    """The chosen model and, for x4, its twin (SRResNet first, then SRGAN)."""
    models = [(f"{info.label} ({info.name})", r, info.arch)]
    other = rd.twin(info, rd.list_models("sr4"))
    if other is not None:
        _, r2 = resolve_model(other.name)
        models.append((f"{other.label} ({other.name})", r2, other.arch))
    models.sort(key=lambda m: m[2] != "srresnet")
    return [(label, restorer) for label, restorer, _ in models]


@friendly
def degrade_demo(image: Any, model: str | None, mask: Any = None, sigma: float | None = None):
    """Degrade the clean picture, restore it, and caption each panel with PSNR/SSIM against it."""
    original = _image(image)
    info, r = resolve_model(model)
    sigma = rd.check_sigma(sigma)
    mask = _checked_mask(mask, info, original.size)
    clean, scaled = rd.clean_for(original, r)
    if mask is not None:
        mask = mask.resize(clean.size, Image.NEAREST)
    panels = rd.degrade_and_restore(_demo_models(info, r), clean, sigma, mask)
    rows = "\n".join(f"| {p.label} | {p.psnr:.2f} | {p.ssim:.3f} |" for p in panels if p.psnr is not None)
    table = f"| {clean.width}x{clean.height}, against the clean picture | PSNR (dB) | SSIM |\n|---|---|---|\n{rows}"
    if scaled:
        table += "\n\n" + _scaled_note(info, original, clean)
    return [(p.image, p.caption) for p in panels], table


# -- list refreshes ---------------------------------------------------------------------------------


def task_changed(task: str, current: str | None):
    """A new task: its models in the dropdown (kept if still valid), only its controls shown, and
    the editor's label saying what the picture is for."""
    names = model_choices(task)
    value = current if current in names else (names[0] if names else None)
    return (
        gr.update(label=EDITOR_LABELS.get(task, EDITOR_LABELS["sr4"])),
        gr.update(choices=names, value=value),
        gr.update(visible=task == "denoise"),
        gr.update(visible=task == "inpaint"),
        model_card(value),
    )


def refresh_models(task: str, current: str | None):
    """Re-read the models (a run saved a moment ago from the Train tab or CLI appears)."""
    names = model_choices(task)
    return gr.update(choices=names, value=current if current in names else (names[0] if names else None))
