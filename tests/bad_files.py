"""Bad (and odd) files generated in code, and helpers to run the CLI in-process, for the bad-input tests."""

from __future__ import annotations

import io
import struct
import zlib
from pathlib import Path

import numpy as np
from PIL import Image

from ganlab.cli import main as cli_main

ROOT = Path(__file__).resolve().parents[1]


def encode(img: Image.Image, fmt: str = "PNG", **kw) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **kw)
    return buffer.getvalue()


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def bomb_png(width: int, height: int) -> bytes:
    """A few hundred bytes declaring a huge greyscale image (decoding it would allocate w*h bytes)."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    rows = zlib.compress(b"\x00" * (width + 1) * 4, 9)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", rows) + _chunk(b"IEND", b"")


def odd_images() -> dict[str, tuple[bytes, tuple[float, float, float]]]:
    """Valid but unusual files -> (bytes, expected mean RGB in [-1, 1] after loading)."""
    rgba = Image.new("RGBA", (20, 20), (255, 0, 0, 255))
    rgba.paste((0, 0, 0, 0), (10, 0, 20, 20))  # right half fully transparent black -> white
    palette = Image.new("P", (12, 12))
    palette.putpalette([0, 200, 0] * 256)
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 0, 255))]
    gif = io.BytesIO()
    frames[0].save(gif, "GIF", save_all=True, append_images=frames[1:], duration=100)
    green = 200 / 127.5 - 1
    return {
        "cmyk.jpg": (encode(Image.new("CMYK", (24, 24), (0, 255, 255, 0)), "JPEG"), (1, -1, -1)),
        "gray16.png": (encode(Image.fromarray(np.full((20, 20), 32768, np.uint16))), (0, 0, 0)),
        "rgba.png": (encode(rgba), (1, 0, 0)),
        "palette.png": (encode(palette), (-1, green, -1)),
        "animated.gif": (gif.getvalue(), (1, -1, -1)),  # the first frame
        "one-pixel.png": (encode(Image.new("RGB", (1, 1), (0, 0, 255))), (-1, -1, 1)),
        "wide.png": (encode(Image.new("RGB", (10000, 10), (255, 255, 0))), (1, 1, -1)),
    }


def bad_images() -> dict[str, tuple[bytes, str]]:
    """Unusable files -> (bytes, words the reason must contain)."""
    png = encode(Image.new("RGB", (64, 64), (10, 20, 30)))
    noisy = Image.fromarray(np.random.default_rng(0).integers(0, 255, (64, 64, 3), dtype=np.uint8))
    jpeg = encode(noisy, "JPEG", quality=90)
    return {
        "empty.png": (b"", "empty"),
        "truncated.png": (png[: len(png) // 2], "truncated"),
        "truncated.jpg": (jpeg[: len(jpeg) // 3], "truncated"),
        "notes.png": (b"these are my lecture notes, not a picture\n" * 20, "not a readable image"),
        "bomb.png": (bomb_png(30000, 30000), "refused"),
        "bomb-small.png": (bomb_png(8000, 8000), "too large"),
    }


def write_folder(root: Path, files: dict[str, bytes]) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (root / name).write_bytes(data)
    return root


def run_cli(capsys, *args: str) -> tuple[int, str]:
    """The CLI in this process: (exit code, stderr)."""
    code = cli_main([str(a) for a in args])
    return code, capsys.readouterr().err


def assert_one_line_error(code: int, err: str, needle: str, expected: int = 2) -> None:
    assert code == expected, err
    assert "Traceback" not in err
    lines = [line for line in err.strip().splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert needle.lower() in err.lower(), err
