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
from pathlib import Path
from typing import Any

import numpy as np
import torch

from ganlab.families.gan import health

from ganlab.families.gan import pretrained, probes
from ganlab.families.gan.probes1d import DensityProbe
from ganlab.families.gan.snapshot import REAL_THUMBNAILS, History, Snapshot
from ganlab.data.toy1d import is_1d
from ganlab.families.gan.config import TrainConfig
from ganlab.data import DataSource, canonical_name, load_dataset
from ganlab.errors import ConfigError, GanLabError, TrainingDiverged
from ganlab.render.images import to_uint8
from ganlab.metrics.toy2d import mode_coverage
from ganlab.metrics.divergence import GridReference
from ganlab.families.gan.trainer import HISTORY_COLUMNS, StepStats, Trainer, make_noise
from ganlab.engine.background import SLOTS, DeviceSlots
from ganlab.engine.job import RunJob
from ganlab.families.gan.classroom import ClassroomMember

MAX_FRAMES = 80  # timelapse frames kept (thinned by half when full)
DIVERGENCE_REAL = 10_000  # real points histogrammed once for KL/JS by grid
DIVERGENCE_EXTRA = 3_072  # G samples on fixed extra noise, beside the 1,024 fixed ones (4,096 in all)
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


class TrainingJob(ClassroomMember, RunJob):
    """One GAN run, trained in the background; ``snapshot`` is what the views show."""

    health_checks = health.CHECKS  # a family with signals of its own adds checks (see StyleGANJob)

    def __init__(
        self,
        cfg: TrainConfig,
        data: DataSource | None = None,
        *,
        slots: DeviceSlots = SLOTS,
        publish_every_s: float = 0.4,
        from_pretrained: bool = False,
    ) -> None:
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
        self._extent = probes.view_extent(self._reference) if data.kind == "points" and not is_1d(data) else None
        self._density = DensityProbe.for_trainer(self.trainer, self._reference) if is_1d(data) else None
        self._classifier = _classifier_for(data.name) if data.labels is not None else None
        self._divergence: list[tuple[int, float, float]] = []
        if data.kind == "points":
            self._init_divergence()
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
        """Queue edits for a live run (learning rates, objective, D and G steps per iteration, which
        networks train); checked here so a bad value is the caller's error, applied between chunks."""
        changes = {k: v for k, v in changes.items() if v is not None}
        unknown = set(changes) - set(self.live_settings)
        if unknown:
            raise ConfigError(
                f"{sorted(unknown)[0]}: cannot be changed during a run (only {', '.join(self.live_settings)})"
            )
        phase = changes.pop("phase", None)
        if phase is not None:
            from ganlab.families.gan.trainer import PHASES

            if phase not in PHASES:
                raise ConfigError(
                    f"phase: must be one of {', '.join(PHASES)} (both networks, only D, only G); got {phase!r}"
                )
            changes["phase"] = phase
        probe = self.cfg.updated(**{k: v for k, v in changes.items() if k != "phase"})
        probe.validate()
        super().update(**changes)

    live_settings = ("g_lr", "d_lr", "objective", "d_steps", "g_steps", "phase")

    def _apply(self, changes: dict[str, Any]) -> None:
        tr = self.trainer
        tr.set_learning_rates(changes.get("g_lr"), changes.get("d_lr"))
        if "objective" in changes and changes["objective"] != tr.cfg.objective:
            tr.set_objective(changes["objective"])
        tr.cfg = tr.cfg.updated(g_lr=changes.get("g_lr"), d_lr=changes.get("d_lr"))
        if "d_steps" in changes or "g_steps" in changes:
            tr.set_steps_per_iteration(changes.get("d_steps"), changes.get("g_steps"))
        if "phase" in changes:
            tr.set_phase(changes["phase"])
        self.cfg = tr.cfg

    # -- slow motion ---------------------------------------------------------------------------
    def slow_step(self, timeout: float = 60.0):
        """One iteration in slow motion (:mod:`~ganlab.families.gan.slowmo`): pauses a running run,
        applies settings edited meanwhile, trains one iteration, publishes, and stays paused."""
        from ganlab.families.gan.slowmo import record_iteration  # only when a student asks for it

        if self.state in ("finished", "stopped", "diverged", "error"):
            raise GanLabError(f"this run has {self.state}; press Train to start a new one")
        if self.total_steps - self.trainer.step_count <= 0:
            raise GanLabError("this run has trained all its steps; press Train to start a new one")
        if self.state == "running":
            self.pause()
        if self.state == "ready":
            self.start(paused=True)

        def one_iteration():
            changes = self.take_changes()
            if changes:
                self._apply(changes)
            try:
                slow, stats = record_iteration(self.trainer, self._slow_extent())
            except TrainingDiverged as exc:
                self.state, self.message = "diverged", str(exc)
                self._publish()
                raise GanLabError(str(exc)) from None
            self.record(stats)
            self._publish()
            return slow

        return self.call(one_iteration, timeout)

    def make_snapshot(self) -> Snapshot:
        return self._make_snapshot(self.trainer.sample_fixed())

    def _publish(self) -> None:
        super()._publish()
        self._record_frame(self.snapshot.samples)

    # -- snapshots ---------------------------------------------------------------------------
    def _make_snapshot(self, samples: torch.Tensor) -> Snapshot:
        tr, step = self.trainer, self.trainer.step_count
        points = coverage = classes = density = real = fake_scores = real_scores = None
        if self._density is not None:
            density = self._density(tr.G, tr.D, tr.objective.probabilities)
        elif tr.data.kind == "points":
            points = self._probe_points(samples)
        if tr.data.kind == "points":
            if tr.data.modes is not None:
                coverage = mode_coverage(samples, tr.data.modes, tr.data.sigma)
                self._record(self._modes, (step, coverage.modes_captured, coverage.modes_total))
            self._record(self._divergence, (step, *self._measure_divergence(samples)))
        else:
            real = self._reference[:REAL_THUMBNAILS]
            fake_scores, real_scores = probes.image_scores(
                tr.D, samples[:REAL_THUMBNAILS], real, tr.fixed_labels, tr.objective.probabilities
            )
        if tr.data.kind != "points" and self._classifier is not None:
            classes = self._class_coverage(samples, step)
            if classes:
                self._record(self._classes, (step, *classes))
        self._record(self._diversity, (step, probes.sample_diversity(samples, self._reference)))
        history = self.history.view()
        warnings = self._health(step, history)
        return Snapshot(
            version=self.next_version(),
            state=self.state,
            message=self.message,
            step=step,
            total_steps=self.total_steps,
            history=history,
            samples=samples,
            data_kind=tr.data.kind,
            dataset=tr.data.name,
            objective=tr.cfg.objective,
            device=self.device_key,
            steps_per_s=self.meter.rate,
            wall_time_s=tr.wall_time_s,
            points=points,
            density=density,
            coverage=coverage,
            classes=classes,
            health=tuple(warnings),
            divergence=tuple(self._divergence),
            signals=dict(self.signals),
            real_samples=real,
            fake_scores=fake_scores,
            real_scores=real_scores,
            g_lr=tr.opt_g.param_groups[0]["lr"],
            d_lr=tr.opt_d.param_groups[0]["lr"],
        )

    def _probe_points(self, samples: torch.Tensor):
        """GAN Lab's 2D probes: D's surface, G's gradients on the fakes, the noise lattice's image."""
        tr = self.trainer
        return probes.probe_points(
            tr.G,
            tr.D,
            tr.objective.g_loss,
            samples,
            self._reference.numpy(),
            self._extent,
            self.cfg.z_dim,
            self.cfg.noise,
            tr.objective.probabilities,
        )

    def _health(self, step: int, history) -> list:
        """The health panel's warnings for this snapshot (the GAN checks and the family's own)."""
        tr = self.trainer
        facts = health.HealthInput(
            history=history,
            probabilities=tr.objective.probabilities,
            objective=tr.cfg.objective,
            stopped_reason=tr.stopped_reason,
            modes=tuple(self._modes),
            classes=tuple(self._classes),
            diversity=tuple(self._diversity),
            extra=self.health_extra(step),
        )
        return health.assess(facts, self.health_checks)

    def _init_divergence(self) -> None:
        """A large real sample, histogrammed once, and fixed extra noise for G; both from their own
        seeded generators, so measuring never moves the trainer's random stream."""
        tr, device = self.trainer, self.trainer.device
        real, _ = tr.data.sample(DIVERGENCE_REAL, torch.Generator(device).manual_seed(self.cfg.seed + 3))
        extent = self._extent if self._density is None else self._density.extent  # 1D: the chart's (x0, x1)
        self._grid = GridReference(real, extent)
        gen = torch.Generator(device).manual_seed(self.cfg.seed + 4)
        self._extra_z = make_noise(self.cfg.noise, DIVERGENCE_EXTRA, self.cfg.z_dim, gen)

    def _measure_divergence(self, samples: torch.Tensor) -> tuple[float, float]:
        """KL(real || G) and JS by grid on the fixed samples plus G on the extra noise."""
        extra = probes.generate(self.trainer.inference_generator, self._extra_z)
        result = self._grid.measure(torch.cat([samples, extra]))
        return result.kl, result.js

    def _slow_extent(self):
        """Slow motion's window: the 2D view's, or the 1D chart's x range over a strip."""
        if self._density is not None:
            return (*self._density.extent, -1.0, 1.0)
        return self._extent

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
            payload: Any = self.snapshot.density if self._density is not None else self.snapshot.points
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
            metrics.update(
                modes_captured=snap.coverage.modes_captured, high_quality=round(snap.coverage.high_quality, 4)
            )
        if snap.classes is not None:
            metrics["classes_seen"] = snap.classes[0]
        return self.call(lambda: save_trainer(self.trainer, folder, metrics=metrics, extra={"source": "app"}))

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
