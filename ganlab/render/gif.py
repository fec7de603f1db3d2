"""Animated GIFs: the one writer for timelapses and interpolations."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Sequence

from PIL import Image


def boomerang(frames: Sequence[Image.Image]) -> list[Image.Image]:
    """Frames forward then back (without repeating the ends), so a loop never jumps."""
    return list(frames) + list(frames[-2:0:-1]) if len(frames) > 2 else list(frames)


def _shared_palette(frames: list[Image.Image]) -> list[Image.Image]:
    """One palette from the first frame for all (8x faster than one adaptive palette each);
    grey frames are left alone (the GIF writer gives them a grey palette)."""
    if all(f.mode == "L" for f in frames):
        return frames
    first = frames[0].convert("RGB").quantize(colors=255)
    return [first] + [f.convert("RGB").quantize(palette=first, dither=Image.Dither.NONE) for f in frames[1:]]


def gif_bytes(frames: Sequence[Image.Image], duration_ms: int | Sequence[int], shared_palette: bool = False) -> bytes:
    """A looping GIF of ``frames``; ``duration_ms`` is one figure or one per frame."""
    if not frames:
        raise ValueError("a GIF needs at least one frame")
    frames = _shared_palette(list(frames)) if shared_palette else list(frames)
    duration = duration_ms if isinstance(duration_ms, int) else list(duration_ms)
    buffer = io.BytesIO()
    frames[0].save(
        buffer, format="GIF", save_all=True, append_images=frames[1:], duration=duration, loop=0, optimize=False
    )
    return buffer.getvalue()


def write_gif(data: bytes, path: str | Path) -> Path:
    """Write GIF bytes atomically: a reader (or a killed export) never sees half a GIF."""
    from ganlab.engine.checkpoints import atomic_write_bytes

    atomic_write_bytes(Path(path), data)
    return Path(path)
