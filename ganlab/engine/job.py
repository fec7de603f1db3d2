"""A family's runner trained in the background and watched through immutable snapshots.

:class:`RunJob` is the part of every live run that knows no family: check the
device slot before building anything, build the family's runner, advance it
in chunks on :class:`~ganlab.engine.background.BackgroundRun`'s thread, keep
the divergence message, number the snapshots. A family's job subclass says
how to build its runner (:meth:`build_runner`), what a chunk's statistics add
to its views (:meth:`record`) and what a snapshot holds (:meth:`make_snapshot`).
Readers take ``job.snapshot``; nothing they do can block the trainer.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ganlab.engine.background import SLOTS, BackgroundRun, DeviceSlots
from ganlab.engine.devices import resolve_device
from ganlab.engine.runner import StepRunner


class RunJob(BackgroundRun):
    """One run of any family, trained in its own thread; ``snapshot`` is what the views show."""

    def __init__(self, cfg: Any, data: Any = None, *, slots: DeviceSlots = SLOTS, publish_every_s: float = 0.4) -> None:
        cfg = cfg.validate()
        device = str(resolve_device(cfg.device))
        self.slot_weight = self.weight_of(cfg)
        slots.check(device, self.slot_weight)  # say "busy" before spending memory on data and models
        super().__init__(device, cfg.steps, slots, publish_every_s)
        self.trainer: StepRunner = self.build_runner(cfg.updated(device=device), data)
        self.cfg = self.trainer.cfg
        self._version = 0

    # -- what a family provides ----------------------------------------------------------------
    @classmethod
    def weight_of(cls, cfg: Any) -> float:
        """The run's share of a device slot: 1 (a family that batches runs says less)."""
        return 1.0

    def build_runner(self, cfg: Any, data: Any) -> StepRunner:
        raise NotImplementedError

    def record(self, stats: list[Any]) -> None:
        """Take a chunk's statistics into the views' history (training thread)."""

    def make_snapshot(self) -> Any:
        raise NotImplementedError

    # -- BackgroundRun hooks ---------------------------------------------------------------------
    @property
    def steps_done(self) -> int:
        return self.trainer.step_count

    def _advance(self, n: int) -> None:
        try:
            self.record(self.trainer.run(n))
        finally:
            if self.trainer.stopped_reason:
                self.message = self.trainer.stopped_reason

    def _publish(self) -> None:
        self.snapshot = self.make_snapshot()

    def picture_or_last(self, draw: Callable[[], Any], field: str) -> Any:
        """``draw()``, or the last snapshot's ``field`` if it fails: a picture must never stop
        the run (a NaN while it diverges, say), and the view keeps what it showed."""
        try:
            return draw()
        except Exception:
            return getattr(getattr(self, "snapshot", None), field, None)

    def next_version(self) -> int:
        """Snapshot numbers only grow, so a reader can tell a new view from one it has drawn."""
        self._version += 1
        return self._version

    def close(self) -> None:
        """Stop and let go of the models and data (the browser tab closed)."""
        self.stop()
