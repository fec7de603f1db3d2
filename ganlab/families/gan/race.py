"""Race 2-4 training configurations on the same data and seed, on one step clock.

Every racer advances the same number of steps per round, so at any moment
the curves compare like with like. A racer that diverges drops out with its
reason while the others go on. Results are a plain table (list of dicts) a
UI shows and a script prints.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ganlab.families.gan import probes
from ganlab.families.gan.probes1d import Density1D, DensityProbe
from ganlab.data.toy1d import is_1d
from ganlab.families.gan.config import TrainConfig
from ganlab.engine.devices import resolve_device
from ganlab.errors import ConfigError, GanLabError, TrainingDiverged
from ganlab.metrics.toy2d import ModeCoverage, mode_coverage
from ganlab.families.gan.job import cached_dataset
from ganlab.families.gan.snapshot import History
from ganlab.families.gan.trainer import Trainer
from ganlab.engine.background import SLOTS, BackgroundRun, DeviceSlots

MIN_RACERS, MAX_RACERS = 2, 4


@dataclass(frozen=True)
class Racer:
    name: str
    cfg: TrainConfig


@dataclass(frozen=True)
class RaceSnapshot:
    version: int
    state: str
    message: str
    step: int
    total_steps: int
    names: tuple[str, ...]
    histories: tuple[np.ndarray, ...]
    samples: tuple[torch.Tensor, ...]
    points: tuple[probes.PointViews | None, ...]
    coverage: tuple[ModeCoverage | None, ...]
    diverged: tuple[str | None, ...]
    seconds: tuple[float, ...]  # training wall time per racer
    objectives: tuple[str, ...]
    data_kind: str
    dataset: str
    device: str
    steps_per_s: float
    densities: tuple[Density1D | None, ...] = ()  # 1D data: each racer's density chart (points is None)

    def table(self) -> list[dict]:
        """One row per racer: where it got to and how it is doing."""
        rows = []
        for i, name in enumerate(self.names):
            hist = self.histories[i]
            recent = hist[-50:] if len(hist) else None
            mean = lambda col: float(np.mean(recent[:, col])) if recent is not None else float("nan")
            row = {
                "racer": name,
                "objective": self.objectives[i],
                "steps": int(hist[-1, 0]) if len(hist) else 0,
                "D loss": round(mean(1), 4),
                "G loss": round(mean(2), 4),
                "D(x)": round(mean(3), 4),
                "D(G(z))": round(mean(4), 4),
                "G grad norm": round(mean(6), 5),
                "ms/step": round(1000 * self.seconds[i] / max(1, len(hist)), 2),
                "status": "diverged" if self.diverged[i] else self.state,
            }
            cov = self.coverage[i]
            if cov is not None:
                row["modes"] = f"{cov.modes_captured}/{cov.modes_total}"
                row["high quality"] = f"{cov.high_quality:.0%}"
            rows.append(row)
        return rows


def _normalise(racers: list[Racer]) -> list[Racer]:
    """Same data, seed, steps and device for everyone (the first racer's); unique names."""
    if not MIN_RACERS <= len(racers) <= MAX_RACERS:
        raise ConfigError(f"race: needs {MIN_RACERS} to {MAX_RACERS} configurations; got {len(racers)}")
    first = racers[0].cfg
    seen: set[str] = set()
    out = []
    for i, r in enumerate(racers):
        name = (r.name or f"racer {i + 1}").strip()
        if name in seen:
            name = f"{name} ({i + 1})"
        seen.add(name)
        cfg = r.cfg.updated(
            dataset=first.dataset,
            data_root=first.data_root,
            image_size=first.image_size,
            seed=first.seed,
            steps=first.steps,
            device=first.device,
        )
        out.append(Racer(name, cfg.validate()))
    return out


class Race(BackgroundRun):
    """Train several configurations side by side in one background thread."""

    def __init__(self, racers: list[Racer], *, slots: DeviceSlots = SLOTS, publish_every_s: float = 0.5):
        racers = _normalise(racers)
        device = str(resolve_device(racers[0].cfg.device))
        slots.check(device)
        super().__init__(device, racers[0].cfg.steps, slots, publish_every_s)
        data = cached_dataset(racers[0].cfg)
        self.racers = racers
        self.trainers = [Trainer(r.cfg.updated(device=device), data) for r in racers]
        self.histories = [History() for _ in racers]
        self.diverged: list[str | None] = [None] * len(racers)
        self._clock = 0
        self._version = 0
        first = self.trainers[0]
        gen = torch.Generator(first.device).manual_seed(racers[0].cfg.seed + 2)
        self._reference = first.data.sample(1024, gen)[0].float().cpu() if first.data.kind == "points" else None
        one_d = is_1d(first.data)
        self._extent = probes.view_extent(self._reference) if self._reference is not None and not one_d else None
        self._density = [DensityProbe.for_trainer(t, self._reference) for t in self.trainers] if one_d else None
        self.snapshot = self._make_snapshot()

    @property
    def steps_done(self) -> int:
        return self._clock

    def _advance(self, n: int) -> None:
        for i, trainer in enumerate(self.trainers):
            if self.diverged[i]:
                continue
            try:
                self.histories[i].extend(trainer.run(n))
            except TrainingDiverged as exc:
                self.diverged[i] = str(exc)
        self._clock += n
        if all(self.diverged):
            raise TrainingDiverged(
                "every racer diverged: " + "; ".join(f"{r.name}: {d}" for r, d in zip(self.racers, self.diverged))
            )

    def _publish(self) -> None:
        self.snapshot = self._make_snapshot()

    def _make_snapshot(self) -> RaceSnapshot:
        samples, views, coverage, densities = [], [], [], []
        for i, tr in enumerate(self.trainers):
            s = tr.sample_fixed()
            samples.append(s)
            densities.append(self._density[i](tr.G, tr.D, tr.objective.probabilities) if self._density else None)
            if tr.data.kind == "points" and not self._density:
                views.append(
                    probes.probe_points(
                        tr.G,
                        tr.D,
                        tr.objective.g_loss,
                        s,
                        self._reference.numpy(),
                        self._extent,
                        tr.cfg.z_dim,
                        tr.cfg.noise,
                        tr.objective.probabilities,
                    )
                )
            else:
                views.append(None)
            coverage.append(mode_coverage(s, tr.data.modes, tr.data.sigma) if tr.data.modes is not None else None)
        self._version += 1
        first = self.trainers[0]
        return RaceSnapshot(
            version=self._version,
            state=self.state,
            message=self.message,
            step=self._clock,
            total_steps=self.total_steps,
            names=tuple(r.name for r in self.racers),
            histories=tuple(h.view() for h in self.histories),
            samples=tuple(samples),
            points=tuple(views),
            coverage=tuple(coverage),
            diverged=tuple(self.diverged),
            seconds=tuple(t.wall_time_s for t in self.trainers),
            objectives=tuple(t.cfg.objective for t in self.trainers),
            data_kind=first.data.kind,
            dataset=first.data.name,
            device=self.device_key,
            steps_per_s=self.meter.rate,
            densities=tuple(densities),
        )

    def close(self) -> None:
        self.stop()


def start_race(racers: list[Racer], **kwargs) -> Race:
    race = Race(racers, **kwargs)
    race.start()
    return race


def run_race(racers: list[Racer], steps: int | None = None, timeout_s: float = 600.0) -> RaceSnapshot:
    """Run a race to the end in this thread's view (blocking); for scripts and tests."""
    if steps is not None:
        racers = [Racer(r.name, r.cfg.updated(steps=steps)) for r in racers]
    race = start_race(racers)
    deadline = time.monotonic() + timeout_s
    while race.alive and time.monotonic() < deadline:
        time.sleep(0.05)
    if race.alive:
        race.stop()
        raise GanLabError(f"race did not finish within {timeout_s:.0f} s")
    return race.snapshot
