"""Resource caps for untrusted input, in one place, each overridable by an environment variable.

A public Space serves strangers: every upload, archive, CSV and checkpoint
is checked against these caps *before* the expensive work (decoding,
unpacking, building a model). Values are read when used, not at import, so
a deployment (or a test) can change them with the environment alone. A
malformed value is a ConfigError naming the variable, never a silent default.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from ganlab.errors import ConfigError


@dataclass(frozen=True)
class Limit:
    """One cap: its environment variable, its default and what it bounds (for docs/limits.md)."""

    env: str
    default: int
    caps: str


LIMITS: dict[str, Limit] = {
    "upload_bytes": Limit(
        "GANLAB_MAX_UPLOAD_BYTES", 200 * 2**20, "size of one uploaded file (image set archive, checkpoint, CSV)"
    ),
    "images": Limit("GANLAB_MAX_IMAGES", 20_000, "images in one folder or zip data set"),
    "image_pixels": Limit(
        "GANLAB_MAX_IMAGE_PIXELS", 40_000_000, "width x height of one image, checked from its header before decoding"
    ),
    "image_file_bytes": Limit(
        "GANLAB_MAX_IMAGE_FILE_BYTES", 64 * 2**20, "bytes of one image file (or one zip member's declared size)"
    ),
    "zip_bytes": Limit(
        "GANLAB_MAX_ZIP_BYTES", 512 * 2**20, "total uncompressed bytes of a zip's image members (declared, and as read)"
    ),
    "csv_rows": Limit("GANLAB_MAX_CSV_ROWS", 200_000, "rows of a points CSV (counted before parsing)"),
    "csv_bytes": Limit("GANLAB_MAX_CSV_BYTES", 20 * 2**20, "bytes of a points CSV"),
    "model_params": Limit(
        "GANLAB_MAX_MODEL_PARAMS",
        200_000_000,
        "parameters of one network, counted on the meta device before it is built",
    ),
    "meta_bytes": Limit("GANLAB_MAX_META_BYTES", 5 * 2**20, "bytes of a checkpoint's model.json"),
    "pth_bytes": Limit("GANLAB_MAX_PTH_BYTES", 2 * 2**30, "bytes of an official CycleGAN .pth file"),
    "steps": Limit("GANLAB_MAX_STEPS", 200_000, "steps of one training run or race started from the app"),
    "job_seconds": Limit(
        "GANLAB_MAX_JOB_SECONDS",
        1800,
        "wall-clock seconds of one app run or race, paused time included (it then stops itself, with a message)",
    ),
    "tool_run_ttl": Limit(
        "GANLAB_TOOL_RUN_TTL",
        3600,
        "seconds a run started by an API or MCP tool (by run id) is kept after the last call "
        "about it; then it is stopped and forgotten",
    ),
}


def get(name: str) -> int:
    """The current value of cap ``name`` (environment variable, else the default)."""
    limit = LIMITS[name]
    raw = os.environ.get(limit.env, "").strip().replace("_", "")
    if not raw:
        return limit.default
    try:
        value = int(float(raw)) if "e" in raw.lower() else int(raw)
    except (ValueError, OverflowError):
        raise ConfigError(f"{limit.env}: must be a positive whole number; got {raw!r}") from None
    if value < 1:
        raise ConfigError(f"{limit.env}: must be a positive whole number; got {raw!r}")
    return value


def mb(n_bytes: int) -> str:
    """Bytes as a short human figure for messages ("200 MB", "0.5 MB")."""
    value = n_bytes / 2**20
    return f"{value:.0f} MB" if value >= 10 else f"{value:.1f} MB"
