"""A whole classroom on one device: live 2D runs hand their chunks to one batched step (issue #15).

Each live run keeps its own thread, controls and snapshots; only its training
steps move. When its thread asks for ``n`` steps (:meth:`Classroom.advance`),
the request waits (at most :data:`GATHER_S`) for the other running runs of the
same shape (:func:`~ganlab.families.gan.batched.batch_key`) to ask too; then one
:class:`~ganlab.families.gan.batched.GanGroup` trains every waiting run the
same number of steps, writes each run's weights back into its own Trainer and
wakes its thread. A run that waits alone trains alone, as before. So every run
gets the same share of the device, a paused run is off the roll, every run
asks for the classroom's one chunk (:attr:`Classroom.chunk`, paced per round), and
nothing outside a round ever sees a Trainer inside a group: the snapshot,
save, slow motion and every edit work on the run's own Trainer, unchanged.
The group's numbers are bit for bit each run's alone (tests/test_batched.py).
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field

from ganlab.engine.background import next_chunk
from ganlab.errors import TrainingDiverged
from ganlab.families.gan.batched import GanGroup, batch_key, why_not_joinable
from ganlab.families.gan.trainer import StepStats, Trainer

# How long the first request of a round waits for the other running runs: long enough for a
# run that was just delivered to record its steps and publish (tens of ms on a busy CPU), else
# the class splits into two cohorts that alternate rounds at half the batch. A round starts
# at once when every running run has asked.
GATHER_S = 0.25


# A round aims at this long, not a solo run's 0.2 s chunk: when each run sized its own chunk
# from its wall time (the whole class's round), chunks shrank to ~1.4 steps a round and
# rebuilding the group each round cost more than its steps. Pause answers within a round.
ROUND_TARGET_S = 1.0
SOLO_ROUND_S = 0.2  # ...but a round of k runs aims at k x this, so a run alone stays as lively as ever
MAX_ROUND_STEPS = 2000

CLASSROOM_WEIGHT = 1 / 16  # a batched 2D run's share of a device slot: 2 CPU slots hold 32 students


def batching_enabled() -> bool:
    """``GANLAB_BATCHED=0`` turns the classroom off (every run trains in its own thread)."""
    return os.environ.get("GANLAB_BATCHED", "1") != "0"


def slot_weight(cfg) -> float:
    """A run's share of a device slot: CLASSROOM_WEIGHT for a GAN run the classroom batches, else 1."""
    from ganlab.families.gan.batched import why_not_batchable
    from ganlab.families.gan.config import TrainConfig

    if not isinstance(cfg, TrainConfig) or not batching_enabled():
        return 1.0
    return CLASSROOM_WEIGHT if why_not_batchable(cfg) is None else 1.0


@dataclass
class _Request:
    trainer: Trainer
    steps: int
    done: threading.Event = field(default_factory=threading.Event)
    stats: list[StepStats] | None = None
    error: BaseException | None = None


class Classroom:
    """The rounds of one device's batchable runs; one scheduler thread, started on demand."""

    def __init__(self, gather_s: float = GATHER_S) -> None:
        self.gather_s = gather_s
        self._lock = threading.Condition()
        self._waiting: list[_Request] = []
        self._thread: threading.Thread | None = None
        self.enrolled = 0  # running runs, which will ask (a round stops waiting once all of them have)
        self.rounds = 0  # rounds that trained two or more runs together (tests and benchmarks read it)
        self.chunk = 1  # steps every batched run asks for: sized so that a round lasts ROUND_TARGET_S
        self.last_round = 0  # runs in the last round that trained together

    def enroll(self) -> None:
        with self._lock:
            self.enrolled += 1

    def leave(self) -> None:
        """A run is off the roll; the last one out resets the pace, so that the next class (of
        any size) ramps up from one step instead of inheriting a chunk sized for this one."""
        with self._lock:
            self.enrolled = max(0, self.enrolled - 1)
            if self.enrolled == 0:
                self.chunk = 1
            self._lock.notify_all()

    def advance(self, trainer: Trainer, steps: int) -> list[StepStats]:
        """Train ``trainer`` ``steps`` steps, together with whoever else asks now; its statistics.
        Raises TrainingDiverged as ``trainer.run`` does (the run was rolled back alone)."""
        if why_not_joinable(trainer) is not None:
            return trainer.run(steps)
        request = _Request(trainer, steps)
        with self._lock:
            self._waiting.append(request)
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._loop, name="ganlab-classroom", daemon=True)
                self._thread.start()
            self._lock.notify_all()
        request.done.wait()
        if request.error is not None:
            raise request.error
        return request.stats or []

    # -- the scheduler thread ------------------------------------------------------------------
    def _loop(self) -> None:
        while True:
            with self._lock:
                if not self._lock.wait_for(lambda: self._waiting, timeout=30.0):
                    self._thread = None  # idle: a later request starts a new thread
                    return
            with self._lock:  # let the other runs' requests arrive (not for a run alone)
                self._lock.wait_for(lambda: len(self._waiting) >= self.enrolled, timeout=self.gather_s)
                batch, self._waiting = self._waiting, []
            for group in self._by_shape(batch):
                self._train(group)

    @staticmethod
    def _by_shape(batch: list[_Request]) -> list[list[_Request]]:
        shapes: dict[tuple, list[_Request]] = {}
        for request in batch:
            shapes.setdefault(batch_key(request.trainer), []).append(request)
        return list(shapes.values())

    def _train(self, requests: list[_Request]) -> None:
        """One round: the requests of one shape, each the same number of steps (the smallest asked)."""
        steps, start = min(r.steps for r in requests), time.perf_counter()
        try:
            if len(requests) == 1:
                self._alone(requests[0])
            else:
                self._together(requests, steps)
        except BaseException as exc:  # a bug here must not hang every student's thread
            for request in requests:
                if not request.done.is_set():
                    request.error = exc
                    request.done.set()
        if steps == self.chunk:  # a full round (not a run's last few steps): pace the next
            target = min(ROUND_TARGET_S, SOLO_ROUND_S * len(requests))
            self.chunk = next_chunk(self.chunk, time.perf_counter() - start, target, MAX_ROUND_STEPS)

    def _together(self, requests: list[_Request], steps: int) -> None:
        group = GanGroup()
        ids = [group.join(r.trainer) for r in requests]
        stats = group.run(steps)
        for member_id in ids:
            group.leave(member_id)  # weights and moments back into the run's own Trainer
        self.rounds += 1
        self.last_round = len(requests)
        for member_id, request in zip(ids, requests):
            self._deliver(request, stats.get(member_id))

    @staticmethod
    def _alone(request: _Request) -> None:
        try:
            request.stats = request.trainer.run(request.steps)
        except BaseException as exc:
            request.error = exc
        request.done.set()

    @staticmethod
    def _deliver(request: _Request, stats: list[StepStats] | None) -> None:
        reason = request.trainer.stopped_reason
        if stats is None and reason:
            request.error = TrainingDiverged(reason)
        request.stats = stats or []
        request.done.set()


_CLASSROOMS: dict[str, Classroom] = {}
_CLASSROOMS_LOCK = threading.Lock()


def classroom_for(device: str) -> Classroom:
    """The device's classroom (one per device key, e.g. "cpu", "cuda:0")."""
    with _CLASSROOMS_LOCK:
        return _CLASSROOMS.setdefault(device, Classroom())


class ClassroomMember:
    """What makes a live run (a :class:`~ganlab.engine.job.RunJob`) a classroom member when its
    config batches: its slot weight, its enrolment while it trains, the shared chunk, and its
    steps trained in the device's rounds. A run that cannot batch behaves as a RunJob alone."""

    _enrolled = False  # in the device's classroom (running and batched)

    @classmethod
    def weight_of(cls, cfg) -> float:
        return slot_weight(cfg)

    def running_changed(self, running: bool) -> None:
        """A batched run is enrolled in its device's classroom while it trains (not while paused),
        so a round waits for the runs that will ask, and for no one else."""
        classroom = self._classroom()
        if classroom is None or running == self._enrolled:
            return
        self._enrolled = running
        classroom.enroll() if running else classroom.leave()

    def _classroom(self) -> Classroom | None:
        """The device's classroom when this run batches; None when it trains alone."""
        return None if self.slot_weight == 1.0 else classroom_for(self.device_key)

    def sharers(self) -> int:
        classroom = self._classroom()
        return 1 if classroom is None else classroom.enrolled

    def chunk_size(self) -> int:
        """A batched run asks for the classroom's chunk, so every run of a round asks the same."""
        classroom = self._classroom()
        return super().chunk_size() if classroom is None else classroom.chunk

    def fit_chunk(self, took: float) -> None:
        if self._classroom() is None:  # the classroom paces its own rounds
            super().fit_chunk(took)

    def _advance(self, n: int) -> None:
        """``n`` steps in the device's classroom when the run batches (the same numbers as alone).
        A paused run's Step trains on its own thread: off the roll, its request would start a
        round before the running runs had asked, and cut that round to its one step."""
        classroom = self._classroom()
        if classroom is None or not self._enrolled:
            return super()._advance(n)
        try:
            self.record(classroom.advance(self.trainer, n))
        finally:
            if self.trainer.stopped_reason:
                self.message = self.trainer.stopped_reason
