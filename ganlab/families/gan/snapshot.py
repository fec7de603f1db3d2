"""What a live GAN run publishes: the growing step history and the immutable Snapshot the views read.

Kept apart from :mod:`ganlab.families.gan.job` (which builds them) so readers of a snapshot —
the UI's views, the overview graph, tests — need not import the job's thread machinery.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from ganlab.families.gan import health, probes
from ganlab.families.gan.probes1d import Density1D
from ganlab.families.gan.trainer import HISTORY_COLUMNS, StepStats
from ganlab.metrics.toy2d import ModeCoverage

REAL_THUMBNAILS = 16  # real images (and scored fakes) an image run's snapshot carries for the overview


class History:
    """Step statistics as a growing float array; published views of it never change."""

    def __init__(self) -> None:
        self._rows = np.zeros((256, len(HISTORY_COLUMNS)))
        self._n = 0

    def extend(self, stats: list[StepStats]) -> None:
        if self._n + len(stats) > len(self._rows):
            grown = np.zeros((max(2 * len(self._rows), self._n + len(stats)), len(HISTORY_COLUMNS)))
            grown[: self._n] = self._rows[: self._n]
            self._rows = grown  # old views keep the old buffer: they stay valid
        for i, s in enumerate(stats, start=self._n):
            self._rows[i] = [np.nan if v is None else v for v in (getattr(s, c) for c in HISTORY_COLUMNS)]
        self._n += len(stats)

    def view(self) -> np.ndarray:
        v = self._rows[: self._n].view()
        v.flags.writeable = False
        return v


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
