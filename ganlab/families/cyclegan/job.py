"""A CycleGAN run in the background, watched through snapshots (no gradio here).

:class:`CycleGANJob` is the engine's :class:`~ganlab.engine.job.RunJob` for a
:class:`~ganlab.families.cyclegan.trainer.CycleGANTrainer` (the thread, stop/pause
controls, the per-device cap, chunk sizing are the engine's); it publishes an immutable
:class:`CycleSnapshot` a few times a second: the loss history and the
A -> B -> A / B -> A -> B triplets. Readers never wait on the trainer.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from ganlab.render.triplets import triplet_grid
from ganlab.errors import ConfigError
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.presets import CPU_DEFAULTS
from ganlab.families.cyclegan.trainer import HISTORY_COLUMNS, CycleGANTrainer
from ganlab.engine.background import SLOTS, DeviceSlots
from ganlab.engine.history import History
from ganlab.engine.job import RunJob


@dataclass(frozen=True)
class CycleSnapshot:
    """What the views show at one moment; never changed after it is published."""

    version: int
    state: str
    message: str
    step: int
    total_steps: int
    history: np.ndarray  # (steps, len(HISTORY_COLUMNS))
    triplets: Image.Image | None
    domains: tuple[str, str]
    dataset: str
    device: str
    steps_per_s: float
    wall_time_s: float
    created: float = field(default_factory=time.time)

    def last(self) -> dict[str, float]:
        """The latest step's losses by name (empty before the first step)."""
        if not len(self.history):
            return {}
        return {k: round(float(v), 5) for k, v in zip(HISTORY_COLUMNS[1:], self.history[-1, 1:])}

    def as_dict(self) -> dict[str, Any]:
        """A JSON-able summary (the app's ``cyclegan_status``)."""
        return {
            "state": self.state,
            "step": self.step,
            "total_steps": self.total_steps,
            "history_rows": int(len(self.history)),
            "steps_per_s": round(self.steps_per_s, 3),
            "device": self.device,
            "dataset": self.dataset,
            "domains": list(self.domains),
            "wall_time_s": round(self.wall_time_s, 2),
            "last": self.last(),
            "message": self.message,
            "version": self.version,
        }


class CycleGANJob(RunJob):
    """One CycleGAN run trained in its own thread; ``snapshot`` is what the views show."""

    def __init__(
        self, cfg: CycleGANConfig, data=None, *, slots: DeviceSlots = SLOTS, publish_every_s: float = 0.4
    ) -> None:
        super().__init__(cfg, data, slots=slots, publish_every_s=publish_every_s)
        self.history = History(HISTORY_COLUMNS)
        self.snapshot: CycleSnapshot = self.make_snapshot()

    # -- RunJob hooks ------------------------------------------------------------------------
    def build_runner(self, cfg: CycleGANConfig, data) -> CycleGANTrainer:
        return CycleGANTrainer(cfg, data)

    def record(self, stats: list) -> None:
        self.history.extend(stats)

    def make_snapshot(self) -> CycleSnapshot:
        tr = self.trainer
        picture = self.picture_or_last(
            lambda: triplet_grid(tr.sample_triplets(), rows=2, cell=128, domains=tr.domains), "triplets"
        )
        return CycleSnapshot(
            version=self.next_version(),
            state=self.state,
            message=self.message,
            step=tr.step_count,
            total_steps=self.total_steps,
            history=self.history.view(),
            triplets=picture,
            domains=tuple(tr.domains),
            dataset=tr.data.name,
            device=self.device_key,
            steps_per_s=self.meter.rate,
            wall_time_s=tr.wall_time_s,
        )

    # -- outputs -----------------------------------------------------------------------------
    def save(self, folder: str | Path) -> list[Path]:
        """The resumable run in ``folder`` plus each direction exported beside it.

        Exports are ``FOLDER-A2B`` and ``FOLDER-B2A`` (A, B: the domain names, made safe for a
        folder name); each names the other as its inverse, so round trips work wherever the catalog lists them.
        """
        from ganlab.families.cyclegan.state import export_direction, save_cyclegan

        folder = Path(folder)
        a, b = (re.sub(r"[^A-Za-z0-9._-]+", "-", d).strip("-.") or d for d in self.trainer.domains)
        ab, ba = f"{folder.name}-{a}2{b}", f"{folder.name}-{b}2{a}"

        def work() -> list[Path]:
            run = save_cyclegan(self.trainer, folder, metrics={"source": "app"})
            return [
                run,
                export_direction(self.trainer, folder.parent / ab, "AtoB", inverse=ba),
                export_direction(self.trainer, folder.parent / ba, "BtoA", inverse=ab),
            ]

        if self.trainer.step_count == 0:
            raise ConfigError("nothing to save yet: the run has not trained a step")
        return self.call(work)


__all__ = ["CycleGANJob", "CycleSnapshot", "CPU_DEFAULTS", "HISTORY_COLUMNS"]
