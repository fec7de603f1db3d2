"""Uploads reach the handlers as file paths; only the project's safe decoder opens them.

Gradio's gr.Image and gr.Sketchpad decode an upload with PIL in their
``preprocess``, before the handler runs: a text file renamed .jpg, an empty
file or a decompression bomb then fails inside Gradio, and a visitor (in the
page or through gradio_client) reads only "the upstream Gradio app has raised
an exception". :func:`pass_paths` makes each upload component hand over the
uploaded file's path without opening it, and :func:`open_upload` decodes it
with :mod:`ganlab.data.decode` (the header checked against the caps in
:mod:`ganlab.limits` before any pixel is decoded), answering a bad file with
one specific line.
"""

from __future__ import annotations

import binascii
import io
import uuid
from pathlib import Path
from typing import Any

import gradio as gr
import numpy as np
from PIL import Image, ImageOps

from ganlab import limits
from ganlab.data.decode import _DECODE_ERRORS as DECODE_ERRORS, check_size, open_image_file, to_8bit
from ganlab.errors import GanLabError

PASTED = "pasted.png"  # the file name given to an image sent inline (a data: URL)


def _refuse(message: str) -> gr.Error:
    """A one-line error for the page and for API callers (no traceback in the server log either)."""
    return gr.Error(message, print_exception=False)


def _write_cache(cache_dir: str, name: str, raw: bytes) -> str:
    """Bytes that arrived without a file, written undecoded under Gradio's cache (which
    ``delete_cache`` empties), each in its own folder so names never collide."""
    folder = Path(cache_dir) / "ganlab-upload" / uuid.uuid4().hex
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_bytes(raw)
    return str(folder / name)


def _inline_to_file(url: str, cache_dir: str, name: str = PASTED) -> str:
    """An image sent inline as a ``data:`` URL, written to a file undecoded."""
    header, _, body = url.partition(",")
    if ";base64" not in header:
        raise _refuse(f"{name}: an inline image must be base64-encoded")
    cap = limits.get("image_file_bytes")
    if len(body) * 3 // 4 > cap:
        raise _refuse(f"{name}: too large for an image (at most {limits.mb(cap)})")
    try:
        raw = binascii.a2b_base64(body)
    except (binascii.Error, ValueError):
        raise _refuse(f"{name}: the inline image is not valid base64") from None
    return _write_cache(cache_dir, name, raw)


def payload_path(payload: Any, cache_dir: str) -> str | None:
    """The uploaded file behind one FileData-like payload, as a path (nothing is decoded)."""
    if payload is None:
        return None
    url = getattr(payload, "url", None) or ""
    if url.startswith("data:"):
        return _inline_to_file(url, cache_dir)
    path = getattr(payload, "path", None)
    if not path:
        raise _refuse("the upload arrived without a file; upload it again")
    return str(path)


def _blob_file(cache_dir: str, data: bytes | None, name: str) -> str | None:
    """A Sketchpad part the browser sent as bytes (``accept_blobs``), written out undecoded."""
    return None if data is None else _write_cache(cache_dir, name, bytes(data))


def editor_paths(editor: gr.ImageEditor, payload: Any) -> dict[str, Any] | None:
    """A Sketchpad/ImageEditor value as ``{"background", "layers", "composite"}`` file paths."""
    if payload is None:
        return None
    if getattr(payload, "id", None) is not None:  # the browser's way: parts sent earlier as blobs
        blobs = editor.blob_storage.pop(payload.id, None)
        if blobs is None:
            return {"background": None, "layers": [], "composite": None}
        cache = editor.GRADIO_CACHE
        layers = [_blob_file(cache, layer, f"layer_{i}.png") for i, layer in enumerate(blobs.layers or [])]
        return {
            "background": _blob_file(cache, blobs.background, "background.png"),
            "layers": [p for p in layers if p],
            "composite": _blob_file(cache, blobs.composite, "composite.png"),
        }
    path = lambda part: payload_path(part, editor.GRADIO_CACHE)  # noqa: E731
    return {
        "background": path(payload.background),
        "layers": [p for p in map(path, payload.layers or []) if p],
        "composite": path(payload.composite),
    }


def _check_file_types(component: gr.File, payload: Any) -> None:
    """Refuse a file of the wrong kind naming the file (Gradio's own message names neither)."""
    types = [t.lower() for t in component.file_types or []]
    if not types or not all(t.startswith(".") for t in types):
        return
    items = payload.root if hasattr(payload, "root") else [payload]
    for item in items or []:
        name = getattr(item, "orig_name", None) or Path(getattr(item, "path", "") or "file").name
        if not any(name.lower().endswith(t) for t in types):
            raise _refuse(f"{name}: not a {' or '.join(types)} file")


def pass_paths(*components: gr.components.Component) -> None:
    """Make each upload component hand its handler the uploaded path(s) instead of decoded pixels.

    Call before :func:`ganlab.ui.sessions.name_errors` so its field names wrap these messages too.
    """
    for component in components:
        if isinstance(component, gr.ImageEditor):  # gr.Sketchpad and gr.Paint are ImageEditors
            component.preprocess = lambda payload, _c=component: editor_paths(_c, payload)
        elif isinstance(component, gr.Image):
            component.preprocess = lambda payload, _c=component: payload_path(payload, _c.GRADIO_CACHE)
        elif isinstance(component, gr.File):

            def checked(payload: Any, _c=component, _original=component.preprocess) -> Any:
                if payload is not None:
                    _check_file_types(_c, payload)
                return _original(payload)

            component.preprocess = checked
        else:
            raise TypeError(f"pass_paths: no raw-path handling for {type(component).__name__}")


def open_upload(value: Any, label: str) -> Image.Image:
    """An uploaded image, decoded safely: a path (from :func:`pass_paths`), a PIL image or an
    array (direct callers). Anything unusable is one gr.Error naming ``label`` and the reason."""
    if isinstance(value, Image.Image):
        return to_8bit(value)
    if isinstance(value, np.ndarray):
        try:
            return to_8bit(Image.fromarray(value.astype(np.uint8)))
        except (TypeError, ValueError) as exc:
            raise _refuse(f"{label}: not an image array ({exc})") from None
    if not isinstance(value, (str, Path)) or not str(value):
        raise _refuse(f"{label}: expected an uploaded image file, got {type(value).__name__}")
    if not Path(value).is_file():
        raise _refuse(f"{label}: the upload could not be read; upload it again")
    try:
        image = open_image_file(value)
    except GanLabError as exc:
        raise _refuse(f"{label}: {exc}") from None
    try:  # a phone photo stores its rotation in EXIF; Gradio applied it, so keep doing so
        return ImageOps.exif_transpose(image)
    except Exception:  # a damaged EXIF block is no reason to refuse the picture
        return image


def open_layer(value: Any, label: str) -> Image.Image:
    """A drawn editor layer decoded safely, keeping its transparency (RGBA): where nothing was drawn
    is transparent, which :func:`open_upload` would flatten onto white."""
    if isinstance(value, Image.Image):
        return value.convert("RGBA")
    if not isinstance(value, (str, Path)) or not Path(value).is_file():
        raise _refuse(f"{label}: the drawing could not be read; draw it again")
    raw = Path(value).read_bytes()
    cap = limits.get("image_file_bytes")
    if len(raw) > cap:
        raise _refuse(f"{label}: {limits.mb(len(raw))} is too large for an image (at most {limits.mb(cap)})")
    try:
        with Image.open(io.BytesIO(raw)) as img:
            check_size(*img.size, label)  # header only: nothing decoded yet
            img.seek(0)
            return img.convert("RGBA")
    except GanLabError as exc:
        raise _refuse(str(exc)) from None
    except DECODE_ERRORS as exc:
        raise _refuse(f"{label}: not a readable image ({type(exc).__name__})") from None
