"""Untrusted image bytes -> a decoded 8-bit image, or a one-line GanLabError saying why not.

The header is read first and the size checked against ``GANLAB_MAX_IMAGE_PIXELS``
*before* any pixel is decoded, so a small file that declares 30000x30000 costs
nothing. Odd but valid images are normalised: 16-bit and 32-bit grey are
scaled (not clipped) to 8 bits, transparency is composited on white, palettes
are expanded, CMYK becomes RGB, animations give their first frame. Zip
members are read with a cap, so a member that lies about its size cannot
inflate past it.
"""

from __future__ import annotations

import io
import zipfile
import zlib
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from ganlab import limits
from ganlab.errors import GanLabError

_DECODE_ERRORS = (
    UnidentifiedImageError,
    OSError,
    ValueError,
    SyntaxError,
    EOFError,
    Image.DecompressionBombError,
    zlib.error,
)


def check_size(width: int, height: int, label: str) -> None:
    """Refuse an image whose declared size is over the pixel cap (call before decoding)."""
    cap = limits.get("image_pixels")
    if width < 1 or height < 1:
        raise GanLabError(f"{label}: the image is empty ({width}x{height})")
    if width * height > cap:
        raise GanLabError(
            f"{label}: {width}x{height} is too large (over {cap:,} pixels; raise GANLAB_MAX_IMAGE_PIXELS or resize it)"
        )


def to_8bit(img: Image.Image) -> Image.Image:
    """RGB or L with 8 bits per channel: what every consumer in GAN Lab expects."""
    if img.mode in ("RGB", "L"):
        return img
    if img.mode in ("RGBA", "LA", "P", "PA", "La", "RGBa") or "transparency" in img.info:
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, rgba).convert("RGB")
    if img.mode == "1":
        return img.convert("L")
    if img.mode.startswith("I") or img.mode == "F":  # 16/32-bit grey: scale into 0..255
        array = np.asarray(img).astype(np.float64)
        top = 65535.0 if img.mode.startswith("I;16") or array.max(initial=0) > 255 else 255.0
        if img.mode == "F":
            low, high = float(array.min(initial=0)), float(array.max(initial=1))
            array, top = array - low, max(high - low, 1e-12)
        scaled = np.clip(np.round(array / top * 255.0), 0, 255).astype(np.uint8)
        return Image.fromarray(scaled, "L")
    return img.convert("RGB")  # CMYK, YCbCr, LAB, HSV, ...


def open_image(raw: bytes, label: str, draft: int | None = None) -> Image.Image:
    """Decode one image file's bytes (first frame) into RGB or L; GanLabError on anything unusable.

    ``draft`` lets JPEG decode at a reduced scale when only a small image is needed.
    """
    if not raw:
        raise GanLabError(f"{label}: the file is empty (0 bytes)")
    cap = limits.get("image_file_bytes")
    if len(raw) > cap:
        raise GanLabError(f"{label}: {limits.mb(len(raw))} is too large for an image (at most {limits.mb(cap)})")
    try:
        with Image.open(io.BytesIO(raw)) as img:
            check_size(*img.size, label)  # header only: nothing decoded yet
            if draft:
                img.draft("RGB", (draft, draft))
            img.seek(0)
            img.load()
            return to_8bit(img).copy()
    except GanLabError:
        raise
    except Image.DecompressionBombError:
        raise GanLabError(
            f"{label}: the image declares an enormous size (a decompression bomb?); refused without decoding"
        ) from None
    except _DECODE_ERRORS as exc:
        reason = (
            "truncated or damaged"
            if "truncated" in str(exc) or isinstance(exc, (EOFError, zlib.error))
            else "not a readable image"
        )
        raise GanLabError(f"{label}: {reason} ({type(exc).__name__})") from None


def open_image_file(path: str | Path) -> Image.Image:
    """``open_image`` for a file on disk, refusing over-large files before reading them."""
    path = Path(path)
    if not path.is_file():
        raise GanLabError(f"image not found: {path}")
    cap = limits.get("image_file_bytes")
    if path.stat().st_size > cap:
        raise GanLabError(
            f"{path.name}: {limits.mb(path.stat().st_size)} is too large for an image (at most {limits.mb(cap)})"
        )
    return open_image(path.read_bytes(), path.name)


def read_member(archive: zipfile.ZipFile, member: zipfile.ZipInfo, cap: int) -> bytes:
    """A zip member's bytes, reading at most ``cap`` (a member may lie about its size)."""
    if member.file_size > cap:
        raise GanLabError(
            f"{member.filename}: declares {limits.mb(member.file_size)}, over the {limits.mb(cap)} allowed"
        )
    chunks, total = [], 0
    try:
        with archive.open(member) as handle:
            while chunk := handle.read(min(1 << 20, cap + 1 - total)):
                chunks.append(chunk)
                total += len(chunk)
                if total > cap:
                    raise GanLabError(f"{member.filename}: unpacks past {limits.mb(cap)}; refused")
    except GanLabError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, NotImplementedError, RuntimeError) as exc:
        raise GanLabError(f"{member.filename}: damaged or unsupported zip member ({type(exc).__name__})") from None
    return b"".join(chunks)
