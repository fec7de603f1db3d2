"""Where GAN Lab keeps things: shipped checkpoints and saved runs (settings, not constants)."""

from __future__ import annotations

import os
from pathlib import Path

PACKAGE_ROOT = Path(__file__).resolve().parent


def pretrained_dir() -> Path:
    """Shipped checkpoints: ``$GANLAB_PRETRAINED`` or the repo's ``pretrained/``."""
    return Path(os.environ.get("GANLAB_PRETRAINED") or PACKAGE_ROOT.parent / "pretrained")


def runs_dir() -> Path:
    """Runs saved from the app: ``$GANLAB_RUNS`` or ``./runs``."""
    return Path(os.environ.get("GANLAB_RUNS") or Path.cwd() / "runs")
