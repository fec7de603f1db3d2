"""What a live GAN run publishes: the growing step history and the immutable Snapshot the views read.

Kept apart from :mod:`ganlab.families.gan.job` (which builds them) so readers of a snapshot —
the UI's views, the overview graph, tests — need not import the job's thread machinery.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ganlab.engine.history import History as EngineHistory
from ganlab.families.gan import health, probes
from ganlab.families.gan.probes1d import Density1D
from ganlab.families.gan.trainer import HISTORY_COLUMNS
from ganlab.metrics.toy2d import ModeCoverage

REAL_THUMBNAILS = 16  # real images (and scored fakes) an image run's snapshot carries for the overview


class History(EngineHistory):
    """A GAN run's history: the engine's, with the GAN statistics' columns."""

    def __init__(self) -> None:
        super().__init__(HISTORY_COLUMNS)


@dataclass(frozen=True)
class Snapshot:
    """What the views show at one moment; immutable, so any thread may read it."""

    version: int
    state: str  # ready | running | paused | finished | stopped | diverged | error
    message: str
    step: int
    total_steps: int
    history: np.ndarray  # (steps, len(HISTORY_COLUMNS)), read-only
    samples: torch.Tensor | None  # G on the fixed noise batch (CPU): images (64,C,H,W) or points (1024,2)
    data_kind: str  # "points" | "image"
    dataset: str
    objective: str
    device: str
    steps_per_s: float
    wall_time_s: float
    points: probes.PointViews | None = None  # 2D runs
    density: Density1D | None = None  # 1D runs: p_data, p_g, D(x) and the optimal D*
    coverage: ModeCoverage | None = None
    classes: tuple[int, int] | None = None  # (classes seen in the samples, classes total)
    divergence: tuple[tuple[int, float, float], ...] = ()  # (step, KL, JS) by grid, points data only
    health: tuple[health.HealthWarning, ...] = ()
    signals: dict = field(default_factory=dict)  # a family's own live figures, e.g. StyleGAN's w spread
    real_samples: torch.Tensor | None = None  # a few real images (image runs), for the overview graph
    fake_scores: np.ndarray | None = None  # D's verdict on the first REAL_THUMBNAILS samples in [0, 1] (images)
    real_scores: np.ndarray | None = None  # ... and on each of ``real_samples`` (None: not measured)
    g_lr: float = 0.0  # learning rates in force (edits made while paused show here once applied)
    d_lr: float = 0.0
    created: float = field(default_factory=time.time)

    @property
    def is_wgan(self) -> bool:
        return self.objective in ("wgan", "wgan-gp")
