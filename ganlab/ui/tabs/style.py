"""Style tab: translate a photo with CycleGAN (summer -> winter and back, or a model you bring).

Stable API endpoint: ``translate(image, model, direction="AtoB", size="original") -> image``.
Everything heavy (loading models, pre/post-processing, tiling) lives in
:mod:`ganlab.inference.translate` and :mod:`ganlab.families.cyclegan.io`; this module wires widgets to it.
"""

from __future__ import annotations

import functools
import tempfile
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image, ImageDraw

from ganlab.inference.catalog import list_checkpoints
from ganlab.families.cyclegan.io import Translator, load_translator
from ganlab.errors import GanLabError
from ganlab.inference.translate import prepare, to_image, translate_tensor
from ganlab.ui import sessions, uploads
from ganlab.ui.numbers import as_whole

SIZES = ["original", "256", "512", "1024"]
MAX_ORIGINAL = 2048  # "original" larger than this is scaled down (the tab says so)
PREFERRED = ("summer2winter", "winter2summer")
_UPLOADS = sessions.Uploads()  # "upload/NAME" -> (.pth, its inverse .pth), per browser session


friendly = sessions.friendly  # bad input -> one-line gr.Error, never a traceback


# -- models ----------------------------------------------------------------------------


def model_choices(session: str | None = None) -> list[str]:
    """CycleGAN models by name: shipped, runs saved from the Train tab or CLI, this session's .pth uploads."""
    names = [e.name for e in list_checkpoints("cyclegan")]
    names.sort(key=lambda n: (n not in PREFERRED, PREFERRED.index(n) if n in PREFERRED else 0))
    return names + _UPLOADS.names(session)


def default_model(names: list[str] | None = None) -> str | None:
    names = model_choices() if names is None else names
    return names[0] if names else None


@functools.lru_cache(maxsize=8)
def _load(path: str, inverse: str | None, direction: str, stamp: float) -> Translator:
    return load_translator(path, direction, "cpu", inverse)


def resolve_model(name: str | None, direction: str = "AtoB", session: str | None = None) -> Translator:
    """A dropdown value -> a Translator. Only what the dropdown offers can be opened (no server paths)."""
    if not name or not str(name).strip():
        raise GanLabError("choose a model first")
    name = str(name).strip()
    upload = _UPLOADS.get(session, name)
    if upload is not None:
        pth, inverse = upload
        return _load(str(pth), str(inverse) if inverse else None, direction, pth.stat().st_mtime)
    for entry in list_checkpoints("cyclegan"):
        if entry.name == name:
            stamp = (entry.path / "model.safetensors").stat().st_mtime
            return _load(str(entry.path), None, direction, stamp)
    raise GanLabError(f"unknown model {name!r}; choose one of: {', '.join(model_choices(session)) or 'none'}")


def register_upload(files: Any, session: str | None = None) -> str:
    """Check uploaded official ``.pth`` generator(s) and list them as ``upload/NAME``.

    One file translates one way; two files (A->B then B->A, e.g. latest_net_G_A.pth and
    latest_net_G_B.pth) make a pair with a round trip and both directions.
    """
    paths = [Path(p) for p in sessions.check_uploads(files)]
    if not paths:
        raise GanLabError("no file uploaded")
    if len(paths) > 2:
        raise GanLabError("upload one .pth generator, or two (A->B and B->A)")
    inverse = paths[1] if len(paths) == 2 else None
    load_translator(paths[0], "AtoB", "cpu", inverse)  # refuses foreign or unsafe files here, clearly
    return _UPLOADS.add(session, "upload/" + paths[0].stem, (paths[0], inverse))


def direction_choices(name: str | None, session: str | None = None) -> list[tuple[str, str]]:
    try:
        t = resolve_model(name, "AtoB", session)
    except GanLabError:
        return [("A → B", "AtoB"), ("B → A", "BtoA")]
    back = [(f"{t.target} → {t.source}", "BtoA")] if t.backward is not None else []
    return [(t.label, "AtoB")] + back


def model_card(name: str | None, session: str | None = None) -> str:
    try:
        t = resolve_model(name, "AtoB", session)
    except GanLabError as exc:
        return f"*{exc}*"
    g = t.forward
    lines = [
        f"**{t.name}**: {t.label}" + (" (official CycleGAN release)" if t.origin == "official" else ""),
        f"ResNet generator, ngf {g.ngf}, {g.n_blocks} residual blocks, "
        + ("resize-convolution upsampling, " if getattr(g, "upsample", "deconv") == "resize" else "")
        + f"{sum(p.numel() for p in g.parameters()) / 1e6:.2f} M parameters",
    ]
    meta = t.meta
    if meta.get("step"):
        lines.append(
            f"trained {meta['step']:,} steps on {(meta.get('dataset') or {}).get('name', '?')}"
            f" ({meta.get('device', '?')}, {meta.get('wall_time_s', 0):.0f} s)"
        )
    metrics = meta.get("metrics") or {}
    if "cycle_l1_test_a" in metrics:
        lines.append(
            f"held-out cycle error (mean |x − back(fwd(x))|, in [0, 2]): "
            f"{metrics['cycle_l1_test_a']:.3f} / {metrics['cycle_l1_test_b']:.3f}"
        )
    lines.append("Round trip available." if t.backward is not None else "One direction only (no round trip).")
    return "\n\n".join(lines)


# -- handlers (plain functions: the API and the tests call them too) --------------------


def parse_size(size: Any, image: Image.Image) -> int | None:
    """'original' -> None (capped at MAX_ORIGINAL on the longer side), else the number of pixels."""
    if size in (None, "", "original"):
        return MAX_ORIGINAL if max(image.size) > MAX_ORIGINAL else None
    pixels = as_whole(size)
    if pixels is None:
        raise GanLabError(f"size must be 'original' or a number of pixels; got {size!r}")
    return pixels


def _as_pil(image: Any, label: str = "photo") -> Image.Image:
    """The photo decoded safely (the tab hands over its path: see ganlab.ui.uploads)."""
    if image is None:
        raise GanLabError("upload a photo, take one with the webcam, or pick an example first")
    return uploads.open_upload(image, label)


@friendly
def translate(
    image: Image.Image | str,
    model: str,
    direction: str = "AtoB",
    size: str = "original",
    request: gr.Request | None = None,
) -> Image.Image:
    """Translate a photo with a CycleGAN (e.g. summer to winter), at its own resolution or ``size``.

    Args:
        image: the photo (a file or URL).
        model: a CycleGAN's name from list_checkpoints (e.g. "summer2winter", "winter2summer").
        direction: "AtoB" (the model's own direction) or "BtoA" (through its twin, when it has one).
        size: "original", or the longer side in pixels ("256", "512", ...).
    """
    image = _as_pil(image)
    translator = resolve_model(model, direction, sessions.session_of(request))
    return to_image(translate_tensor(translator.forward, prepare(image, parse_size(size, image))))


@friendly
def compare(
    image: Image.Image | str,
    translated: Image.Image | str | None,
    model: str,
    direction: str = "AtoB",
    size: str = "original",
    request: gr.Request | None = None,
):
    """Before/after pair, the round trip A -> B -> A, and how far the round trip lands from the input."""
    if image is None or translated is None:
        return None, [], ""
    image, translated = _as_pil(image), _as_pil(translated, "translated photo")
    translator = resolve_model(model, direction, sessions.session_of(request))
    before = to_image(prepare(image, parse_size(size, image)))
    gallery = [(before, translator.source), (translated, f"{translator.source} → {translator.target}")]
    if translator.backward is None:
        return (before, translated), gallery, "*This model has no inverse, so there is no round trip.*"
    back = translate_tensor(translator.backward, prepare(translated))
    rec = to_image(back)
    gallery.append((rec, f"{translator.source} → {translator.target} → {translator.source}"))
    error = np.abs(np.asarray(rec, np.float32) - np.asarray(before, np.float32)).mean()
    note = (
        f"Round trip {translator.source} → {translator.target} → {translator.source} differs from the input "
        f"by **{error:.1f}/255** per pixel on average: cycle consistency keeps the scene, "
        "so only the style should change."
    )
    return (before, translated), gallery, note


@friendly
def choose_model(name: str, request: gr.Request | None = None):
    session = sessions.session_of(request)
    choices = direction_choices(name, session)
    return gr.update(choices=choices, value=choices[0][1]), model_card(name, session)


def list_for_session(request: gr.Request | None = None):
    return gr.update(choices=model_choices(sessions.session_of(request)))


@friendly
def upload_model(files: Any, request: gr.Request | None = None):
    """Uploaded .pth file(s): checked (size; read with weights_only, never unpickled), this session only."""
    return sessions.dropdown_after_upload(register_upload, model_choices, files, request)


# -- examples ----------------------------------------------------------------------------


def synthetic_valley(width: int = 384, height: int = 256) -> Image.Image:
    """A summer valley drawn by the project itself: sky, two ridges, a meadow and trees."""
    img = Image.new("RGB", (width, height))
    draw = ImageDraw.Draw(img)
    for y in range(height):  # sky gradient
        t = y / height
        draw.line([(0, y), (width, y)], fill=(int(90 + 110 * t), int(150 + 80 * t), 235))
    draw.polygon([(0, 150), (90, 60), (170, 120), (260, 40), (384, 140), (384, 256), (0, 256)], fill=(105, 110, 120))
    draw.polygon([(0, 190), (120, 130), (230, 175), (384, 150), (384, 256), (0, 256)], fill=(70, 120, 60))
    draw.rectangle([0, 215, width, height], fill=(95, 160, 70))
    for x in range(20, width, 45):
        draw.polygon([(x, 220), (x + 12, 170), (x + 24, 220)], fill=(30, 80, 40))
    return img


def example_files() -> list[str]:
    """Example photos from scikit-learn's bundled samples plus one drawn here (never from ../shared)."""
    folder = Path(tempfile.gettempdir()) / "ganlab-style-examples"
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for name in ("china.jpg", "flower.jpg"):
        path = folder / name
        try:
            if not path.is_file():  # sklearn is imported only then: its import takes about 3 s
                from sklearn.datasets import load_sample_image

                Image.fromarray(load_sample_image(name)).save(path, quality=92)
            files.append(str(path))
        except Exception:  # examples are a convenience; the tab works without them
            pass
    path = folder / "valley.png"
    if not path.is_file():
        synthetic_valley().save(path)
    files.append(str(path))
    return files


# -- layout -------------------------------------------------------------------------------


INTRO = (
    "Translate a photo between two styles with **CycleGAN** (Zhu et al. 2017): e.g. summer → winter. "
    "The round trip A → B → A shows *cycle consistency*: translating back should give the scene again."
)


def _result_column() -> tuple:
    """(before/after slider, translated photo, round-trip gallery, note) on the right."""
    slider = gr.ImageSlider(label="Before / after", type="pil", max_height=520)
    output = gr.Image(
        label="Translated",
        type="filepath",
        format="png",
        interactive=False,
        buttons=["download", "fullscreen"],
        height=320,
    )
    roundtrip = gr.Gallery(label="Round trip", columns=3, height=240, object_fit="contain")
    return slider, output, roundtrip, gr.Markdown()


def _model_controls(names: list[str], first: str | None) -> tuple:
    """(model dropdown, direction radio, output size) for the left column."""
    model = gr.Dropdown(
        names,
        value=first,
        label="Model",
        allow_custom_value=True,
        info="shipped, trained in the Train tab (runs/…), or an uploaded official .pth",
    )
    first_choices = direction_choices(first)
    direction = gr.Radio(first_choices, value=first_choices[0][1], label="Direction")
    size = gr.Dropdown(
        SIZES,
        value="original",
        label="Output size (longer side)",
        info=f"original keeps the photo's resolution (up to {MAX_ORIGINAL} px)",
    )
    return model, direction, size


def build_style_tab() -> dict[str, Any]:
    """Lay out the Style tab inside the current ``gr.Blocks``; returns its components by name."""
    names = model_choices()
    first = default_model(names)
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1, min_width=300):
            image = gr.Image(
                label="Photo",
                type="filepath",
                sources=["upload", "webcam", "clipboard"],
                height=320,
                elem_id="ganlab-style-photo",
            )
            gr.Examples(example_files(), inputs=image, label="Examples")
            model, direction, size = _model_controls(names, first)
            run = gr.Button("Translate", variant="primary")
            with gr.Accordion("Use an official CycleGAN checkpoint", open=False):
                upload = gr.File(
                    label="Generator .pth (one, or two: A→B then B→A)",
                    file_count="multiple",
                    file_types=[".pth", ".pt"],
                    height=110,
                )
            refresh = gr.Button("Refresh model list", size="sm")
            card = gr.Markdown(model_card(first))
        with gr.Column(scale=2):
            slider, output, roundtrip, note = _result_column()

    uploads.pass_paths(image, output, upload)  # handlers decode safely; see ganlab.ui.uploads
    inputs = [image, model, direction, size]
    run.click(translate, inputs, output, api_name="translate").success(
        compare, [image, output, model, direction, size], [slider, roundtrip, note], api_visibility="private"
    )
    image.upload(translate, inputs, output, api_visibility="private").success(
        compare, [image, output, model, direction, size], [slider, roundtrip, note], api_visibility="private"
    )
    model.change(choose_model, model, [direction, card], api_visibility="private")
    refresh.click(list_for_session, None, model, api_visibility="private")
    # "undocumented": callable by gradio_client (scripts, the robustness tests) but not in the API page
    upload.upload(upload_model, upload, model, api_name="style_upload", api_visibility="undocumented")
    return {
        "image": image,
        "model": model,
        "direction": direction,
        "size": size,
        "output": output,
        "slider": slider,
        "roundtrip": roundtrip,
        "note": note,
        "card": card,
    }


build = build_style_tab  # the name ganlab.ui.app's TABS registry calls
