"""Where GAN Lab keeps things: shipped checkpoints and saved runs (settings, not constants)."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def pretrained_dir() -> Path:
    """Shipped checkpoints: ``$GANLAB_PRETRAINED`` or the repo's ``pretrained/``."""
    return Path(os.environ.get("GANLAB_PRETRAINED") or PACKAGE_ROOT.parent / "pretrained")


def runs_dir() -> Path:
    """Runs saved from the app: ``$GANLAB_RUNS`` or ``./runs``."""
    return Path(os.environ.get("GANLAB_RUNS") or Path.cwd() / "runs")


def safe_run_name(name: str | None, fallback_prefix: str = "run") -> str:
    """A typed run name as one safe folder name (no separators, no dot-files, at most 60
    characters); an empty one becomes ``PREFIX-YYYYmmdd-HHMMSS``."""
    cleaned = re.sub(r"[^A-Za-z0-9._-]+", "-", (name or "").strip()).strip("-.")
    return cleaned[:60] or time.strftime(f"{fallback_prefix}-%Y%m%d-%H%M%S")
