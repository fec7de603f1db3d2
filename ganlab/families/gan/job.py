"""A training run in the background that a UI (or a notebook) watches through snapshots.

A :class:`TrainingJob` is the engine's :class:`~ganlab.engine.job.RunJob` for one
:class:`~ganlab.families.gan.trainer.Trainer` (thread and controls: see
:class:`~ganlab.engine.background.BackgroundRun`); about
twice a second publishes an immutable :class:`Snapshot`: the step history,
G's output on the fixed noise batch, the 2D views, coverage and health.
Readers take ``job.snapshot``; nothing they do can block the trainer.
"""

from __future__ import annotations

import csv
import io
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganlab.families.gan import health

from ganlab.families.gan import pretrained, probes
from ganlab.families.gan.config import TrainConfig
from ganlab.data import DataSource, canonical_name, load_dataset
from ganlab.errors import ConfigError
from ganlab.render.images import to_uint8
from ganlab.metrics.toy2d import ModeCoverage, mode_coverage
from ganlab.families.gan.trainer import HISTORY_COLUMNS, StepStats, Trainer
from ganlab.engine.background import SLOTS, DeviceSlots
from ganlab.engine.job import RunJob

REAL_THUMBNAILS = 16  # real images (and scored fakes) an image run's snapshot carries for the overview
MAX_FRAMES = 80  # timelapse frames kept (thinned by half when full)
_CACHE_SIZE = 2
_data_cache: OrderedDict[tuple, DataSource] = OrderedDict()
_data_lock = threading.Lock()


def cached_dataset(cfg: TrainConfig) -> DataSource:
    """Load a built-in data set once per process (the first grid comes faster the second time).

    User files (``csv:``/``folder:``/``zip:``) are always read afresh.
    """
    name = canonical_name(cfg.dataset)
    if ":" in name:
        return load_dataset(name, cfg.data_root, cfg.download, cfg.image_size)
    key = (name, cfg.data_root, cfg.image_size)
    with _data_lock:
        if key in _data_cache:
            _data_cache.move_to_end(key)
            return _data_cache[key]
    data = load_dataset(name, cfg.data_root, cfg.download, cfg.image_size)
    with _data_lock:
        _data_cache[key] = data
        while len(_data_cache) > _CACHE_SIZE:
            _data_cache.popitem(last=False)
    return data


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
    points: probes.PointViews | None = None
    coverage: ModeCoverage | None = None
    classes: tuple[int, int] | None = None  # (classes seen in the samples, classes total)
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


def _classifier_for(name: str):
    """The project's small classifier for a labelled set, or None (optional: skip the signal)."""
    try:
        from ganlab.metrics.classifier import classifier_for
    except ImportError:
        return None
    try:
        return classifier_for(name)
    except Exception:  # a missing or broken classifier must never stop training
        return None


class TrainingJob(RunJob):
    """One GAN run, trained in the background; ``snapshot`` is what the views show."""

    health_checks = health.CHECKS  # a family with signals of its own adds checks (see StyleGANJob)

    def __init__(self, cfg: TrainConfig, data: DataSource | None = None, *,
                 slots: DeviceSlots = SLOTS, publish_every_s: float = 0.4, from_pretrained: bool = False) -> None:
        self.signals: dict = {}  # this run's latest family signals (health_extra sets them), never shared
        # from_pretrained: start from the shipped trained pair (its architecture, this cfg's knobs)
        self.pair: Path | None = pretrained.require_pair(cfg.dataset) if from_pretrained else None
        if self.pair is not None:
            cfg = pretrained.pair_config(cfg)
        super().__init__(cfg, data, slots=slots, publish_every_s=publish_every_s)
        self.history = History()
        self.frames: list[tuple[int, Any]] = []
        self._frame_every = max(1, self.cfg.snapshot_every)
        self._modes: list[tuple[int, int, int]] = []
        self._classes: list[tuple[int, int, int]] = []
        self._classes_at = 0.0
        self._diversity: list[tuple[int, float]] = []
        data = self.trainer.data
        gen = torch.Generator(self.trainer.device).manual_seed(self.cfg.seed + 2)
        reference, _ = data.sample(1024 if data.kind == "points" else 256, gen)
        self._reference = reference.float().cpu()
        self._extent = probes.view_extent(self._reference) if data.kind == "points" else None
        self._classifier = _classifier_for(data.name) if data.labels is not None else None
        self.snapshot: Snapshot = self._make_snapshot(self.trainer.sample_fixed())

    # -- RunJob hooks ------------------------------------------------------------------------
    def build_runner(self, cfg: TrainConfig, data: DataSource | None) -> Trainer:
        trainer = Trainer(cfg, data if data is not None else cached_dataset(cfg))
        if self.pair is not None:
            pretrained.load_pair(trainer, self.pair)
        return trainer

    def record(self, stats: list[StepStats]) -> None:
        self.history.extend(stats)

    def update(self, **changes: Any) -> None:
        """Queue new learning rates / objective; checked here so a bad value is the caller's error."""
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = set(changes) - {"g_lr", "d_lr", "objective"}
        if unknown:
            raise ConfigError(f"{sorted(unknown)[0]}: cannot be changed during a run (only g_lr, d_lr, objective)")
        probe = self.cfg.updated(**changes)
        probe.validate()
        super().update(**changes)

    def _apply(self, changes: dict[str, Any]) -> None:
        self.trainer.set_learning_rates(changes.get("g_lr"), changes.get("d_lr"))
        if "objective" in changes and changes["objective"] != self.trainer.cfg.objective:
            self.trainer.set_objective(changes["objective"])
        self.trainer.cfg = self.trainer.cfg.updated(g_lr=changes.get("g_lr"), d_lr=changes.get("d_lr"))
        self.cfg = self.trainer.cfg

    def make_snapshot(self) -> Snapshot:
        return self._make_snapshot(self.trainer.sample_fixed())

    def _publish(self) -> None:
        super()._publish()
        self._record_frame(self.snapshot.samples)

    # -- snapshots ---------------------------------------------------------------------------
    def _make_snapshot(self, samples: torch.Tensor) -> Snapshot:
        tr, step = self.trainer, self.trainer.step_count
        points = coverage = classes = real = fake_scores = real_scores = None
        if tr.data.kind == "points":
            points = probes.probe_points(tr.G, tr.D, tr.objective.g_loss, samples, self._reference.numpy(),
                                         self._extent, self.cfg.z_dim, self.cfg.noise,
                                         tr.objective.probabilities)
            if tr.data.modes is not None:
                coverage = mode_coverage(samples, tr.data.modes, tr.data.sigma)
                self._record(self._modes, (step, coverage.modes_captured, coverage.modes_total))
        else:
            real = self._reference[:REAL_THUMBNAILS]
            fake_scores, real_scores = probes.image_scores(tr.D, samples[:REAL_THUMBNAILS], real, tr.fixed_labels,
                                                           tr.objective.probabilities)
        if tr.data.kind != "points" and self._classifier is not None:
            classes = self._class_coverage(samples, step)
            if classes:
                self._record(self._classes, (step, *classes))
        self._record(self._diversity, (step, probes.sample_diversity(samples, self._reference)))
        history = self.history.view()
        warnings = health.assess(health.HealthInput(
            history=history, probabilities=tr.objective.probabilities, objective=tr.cfg.objective,
            stopped_reason=tr.stopped_reason, modes=tuple(self._modes), classes=tuple(self._classes),
            diversity=tuple(self._diversity), extra=self.health_extra(step)), self.health_checks)
        return Snapshot(version=self.next_version(), state=self.state, message=self.message, step=step,
                        total_steps=self.total_steps, history=history, samples=samples,
                        data_kind=tr.data.kind, dataset=tr.data.name, objective=tr.cfg.objective,
                        device=self.device_key, steps_per_s=self.meter.rate, wall_time_s=tr.wall_time_s,
                        points=points, coverage=coverage, classes=classes, health=tuple(warnings),
                        signals=dict(self.signals), real_samples=real, fake_scores=fake_scores,
                        real_scores=real_scores,
                        g_lr=tr.opt_g.param_groups[0]["lr"], d_lr=tr.opt_d.param_groups[0]["lr"])

    def health_extra(self, step: int) -> dict:
        """Family-specific series for :attr:`health_checks` (``HealthInput.extra``); none here."""
        return {}

    @staticmethod
    def _record(series: list, item: tuple) -> None:
        if not series or series[-1][0] != item[0]:
            series.append(item)

    def _class_coverage(self, samples: torch.Tensor, step: int) -> tuple[int, int] | None:
        """Classes seen among the fixed samples; re-measured at most every 2 s (the CNN is not free)."""
        now = time.perf_counter()
        if self._classes and now - self._classes_at < 2.0 and self.state == "running":
            return self._classes[-1][1:]
        self._classes_at = now
        try:
            predicted = self._classifier.predict(samples)
        except Exception:  # an optional signal: never let it break a run
            self._classifier = None
            return None
        total = self.trainer.data.num_classes
        return int(torch.unique(predicted).numel()), total

    def _record_frame(self, samples: torch.Tensor) -> None:
        step = self.trainer.step_count
        if self.frames and step < self.frames[-1][0] + self._frame_every and self.state == "running":
            return
        if self.frames and self.frames[-1][0] == step:
            return
        if self.trainer.data.kind == "points":
            payload: Any = self.snapshot.points
        else:
            payload = to_uint8(samples)
        self.frames.append((step, payload))
        if len(self.frames) > MAX_FRAMES:
            self.frames = self.frames[:-1:2] + [self.frames[-1]]
            self._frame_every *= 2

    # -- outputs -----------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """Save a resumable checkpoint (weights, optimizers, RNG) between chunks."""
        from ganlab.families.gan.state import save_trainer

        snap = self.snapshot
        metrics: dict[str, Any] = {}
        if snap.coverage is not None:
            metrics.update(modes_captured=snap.coverage.modes_captured,
                           high_quality=round(snap.coverage.high_quality, 4))
        if snap.classes is not None:
            metrics["classes_seen"] = snap.classes[0]
        return self.call(lambda: save_trainer(self.trainer, folder, metrics=metrics,
                                              extra={"source": "app"}))

    def loss_csv(self) -> str:
        """The step history as CSV text (a header row, then one row per step)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HISTORY_COLUMNS)
        for row in self.snapshot.history:
            writer.writerow([int(row[0])] + ["" if np.isnan(v) else f"{v:.6g}" for v in row[1:]])
        return out.getvalue()

    def close(self) -> None:
        """Stop and let go of the models, data and frames (the browser tab closed)."""
        super().close()
        self.frames = []


__all__ = ["TrainingJob", "Snapshot", "History", "cached_dataset", "HISTORY_COLUMNS"]
