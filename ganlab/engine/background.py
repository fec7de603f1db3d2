"""A run that trains in its own thread: start, pause, resume, step, stop — and never waits on a reader.

:class:`BackgroundRun` owns the thread and its controls (``threading.Event``s)
and the per-device cap; subclasses (a single training job, a race) say how
to advance ``n`` steps and how to publish what they have. Readers only ever
read the last published immutable snapshot, so a slow browser cannot slow
training, and training advances in chunks sized to about 0.2 s so pause and
stop answer at once.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from typing import Any, Callable

from ganlab import limits
from ganlab.errors import ConfigError, GanLabError, TrainingDiverged

log = logging.getLogger(__name__)

DEFAULT_LIMITS = {"cpu": 2, "cuda": 4, "mps": 2}
TERMINAL = ("finished", "stopped", "diverged", "error")


class DeviceSlots:
    """A cap on concurrent runs per device, so a crowd gets "busy" instead of everyone crawling.

    The limit per device kind comes from ``$GANLAB_MAX_JOBS_CPU`` / ``_CUDA`` /
    ``_MPS`` (or ``$GANLAB_MAX_JOBS`` for all), else :data:`DEFAULT_LIMITS`.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._used: dict[str, int] = {}

    @staticmethod
    def limit(device: str) -> int:
        kind = device.split(":")[0]
        raw = os.environ.get(f"GANLAB_MAX_JOBS_{kind.upper()}") or os.environ.get("GANLAB_MAX_JOBS")
        try:
            return max(1, int(raw)) if raw else DEFAULT_LIMITS.get(kind, 2)
        except ValueError:
            return DEFAULT_LIMITS.get(kind, 2)

    def in_use(self, device: str) -> float:
        with self._lock:
            return self._used.get(device, 0)

    def _fits(self, device: str, weight: float) -> bool:
        return self._used.get(device, 0) + weight <= self.limit(device) + 1e-9

    def check(self, device: str, weight: float = 1.0) -> None:
        """Raise the "busy" error now if ``weight`` does not fit (without taking it). A run that
        trains in a batched classroom group weighs a fraction of a slot (its share of the work)."""
        with self._lock:
            if not self._fits(device, weight):
                raise GanLabError(self._busy(device))

    def acquire(self, device: str, weight: float = 1.0) -> None:
        with self._lock:
            if not self._fits(device, weight):
                raise GanLabError(self._busy(device))
            self._used[device] = self._used.get(device, 0) + weight

    def release(self, device: str, weight: float = 1.0) -> None:
        with self._lock:
            self._used[device] = max(0, self._used.get(device, 0) - weight)

    def _busy(self, device: str) -> str:
        return (
            f"{device} is busy: this server's training budget for it is in use ({self.limit(device)} "
            "run(s) at full weight; 2D runs of a classroom share one batched step and weigh less). "
            "Try again in a minute, stop another run, pick another device, or run GAN Lab on your "
            "own computer with the README's two commands (make run)."
        )


SLOTS = DeviceSlots()


class RateMeter:
    """Steps per second over the last few seconds of running time."""

    def __init__(self, window_s: float = 3.0) -> None:
        self.window_s = window_s
        self.points: deque[tuple[float, int]] = deque()

    def reset(self) -> None:
        self.points.clear()

    def add(self, steps_done: int) -> None:
        now = time.perf_counter()
        self.points.append((now, steps_done))
        while len(self.points) > 2 and now - self.points[0][0] > self.window_s:
            self.points.popleft()

    @property
    def rate(self) -> float:
        if len(self.points) < 2:
            return 0.0
        (t0, s0), (t1, s1) = self.points[0], self.points[-1]
        return (s1 - s0) / (t1 - t0) if t1 > t0 else 0.0


def next_chunk(chunk: int, took: float, target_s: float, most: int) -> int:
    """Double a chunk that took under half its target, halve one that took over twice it."""
    if took < target_s / 2:
        return min(most, chunk * 2)
    if took > target_s * 2:
        return max(1, chunk // 2)
    return chunk


OWN_PUBLISH_SHARE = 0.03  # each run publishes in at most ~3 % of its own time...
DEVICE_PUBLISH_SHARE = 0.1  # ...and the runs sharing a device in at most ~10 % of one core together


def publish_interval(floor_s: float, wall_s: float, cpu_s: float, sharers: int = 1) -> float:
    """Seconds between a run's snapshots, given what its last one took (wall) and cost (thread CPU).

    A run alone is bound by its own share of wall time, as before (on a GPU that includes
    waiting for the device). A classroom of N runs batched on one device would otherwise
    spend N times that share on snapshots (24 students' views took most of a 2-core server),
    so there the device-wide share binds, counted in CPU time: under contention a snapshot's
    wall time mostly measures the others' work.
    """
    shared = cpu_s * max(1, sharers) / DEVICE_PUBLISH_SHARE if sharers > 1 else 0.0
    return max(floor_s, wall_s / OWN_PUBLISH_SHARE, shared)


class BackgroundRun:
    """Thread, controls and publishing cadence shared by training jobs and races."""

    chunk_target_s = 0.2  # each trainer.run(k) call aims at this long (pause answers within it)
    slot_weight = 1.0  # this run's share of its device's budget (DeviceSlots)
    max_chunk = 2000

    def __init__(self, device: str, total_steps: int, slots: DeviceSlots = SLOTS, publish_every_s: float = 0.4) -> None:
        max_steps = limits.get("steps")
        if total_steps > max_steps:  # a public server must not promise a run it will not finish
            raise ConfigError(
                f"steps: at most {max_steps:,} per run on this server (GANLAB_MAX_STEPS); got {total_steps:,}"
            )
        self.max_seconds = float(limits.get("job_seconds"))
        self._started_at = 0.0
        self.device_key = device
        self.total_steps = total_steps
        self.slots = slots
        self.publish_every_s = publish_every_s
        self.state = "ready"
        self.message = ""
        self._stop = threading.Event()
        self._running = threading.Event()
        self._wake = threading.Event()
        self._lock = threading.Lock()
        self._step_requests = 0
        self._pending: dict[str, Any] = {}
        self._calls: deque[tuple[Callable[[], Any], Future]] = deque()
        self._thread: threading.Thread | None = None
        self._chunk = 1  # grows to fill chunk_target_s; starts at 1 for a fast first view
        self._publish_interval = publish_every_s
        self._last_publish = 0.0
        self.meter = RateMeter()

    # -- what subclasses provide ------------------------------------------------------------
    @property
    def steps_done(self) -> int:
        raise NotImplementedError

    def _advance(self, n: int) -> None:
        raise NotImplementedError

    def chunk_size(self) -> int:
        """Steps the next chunk asks for."""
        return self._chunk

    def fit_chunk(self, took: float) -> None:
        """Double or halve the chunk toward ``chunk_target_s`` of wall time."""
        self._chunk = next_chunk(self._chunk, took, self.chunk_target_s, self.max_chunk)

    def running_changed(self, running: bool) -> None:
        """The run started or stopped training continuously (pause, resume, the end); a hook."""

    def sharers(self) -> int:
        """How many live runs share this run's device time (a classroom's enrolled runs); 1 alone."""
        return 1

    def _publish(self) -> None:
        raise NotImplementedError

    def _apply(self, changes: dict[str, Any]) -> None:
        """Apply settings changed by the user (between chunks, in the training thread)."""

    # -- controls (any thread) ----------------------------------------------------------------
    @property
    def alive(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self, paused: bool = False) -> None:
        if self.alive:
            raise GanLabError("this run is already training; pause or stop it first")
        if self.state in TERMINAL:
            raise GanLabError(f"this run has {self.state}; press Train to start a new one")
        self.slots.acquire(self.device_key, self.slot_weight)
        self._started_at = time.monotonic()
        self.state = "paused" if paused else "running"
        snapshot = getattr(self, "snapshot", None)
        if snapshot is not None:  # readers see the new state at once (the thread has not started)
            self.snapshot = dataclasses.replace(snapshot, state=self.state)
        if not paused:
            self._running.set()
        self._thread = threading.Thread(target=self._loop, name=f"ganlab-{type(self).__name__}", daemon=True)
        self._thread.start()

    def pause(self) -> None:
        if self.state == "running":
            self._running.clear()
            self.state = "paused"
            self._wake.set()

    def resume(self, **changes: Any) -> None:
        """Continue; ``changes`` (e.g. g_lr, d_lr, objective) apply before the next step."""
        if self.state in TERMINAL:
            raise GanLabError(f"this run has {self.state}; press Train to start a new one")
        self.update(**changes)
        if self.state == "ready":
            self.start()
            return
        if self.state == "paused":
            self.meter.reset()
            self.state = "running"
            self._running.set()
            self._wake.set()

    def step(self, n: int = 1, **changes: Any) -> None:
        """Run ``n`` steps and pause again (pauses a running job first)."""
        if self.state in TERMINAL:
            raise GanLabError(f"this run has {self.state}; press Train to start a new one")
        self.update(**changes)
        if self.state == "running":
            self.pause()
        if self.state == "ready":
            self.start(paused=True)
        with self._lock:
            self._step_requests += max(1, int(n))
        self._wake.set()

    def update(self, **changes: Any) -> None:
        changes = {k: v for k, v in changes.items() if v is not None}
        if changes:
            with self._lock:
                self._pending.update(changes)

    def stop(self, wait: float = 10.0) -> None:
        """Stop for good; the last published views stay readable."""
        self._stop.set()
        self._running.set()
        self._wake.set()
        if self._thread is not None and self._thread is not threading.current_thread():
            self._thread.join(wait)
        if self.state not in TERMINAL:
            self.state = "stopped"
            if not self.alive:
                self._publish()

    def call(self, fn: Callable[[], Any], timeout: float = 60.0) -> Any:
        """Run ``fn`` in the training thread between chunks (or here when no thread runs)."""
        if not self.alive:
            return fn()
        future: Future = Future()
        with self._lock:
            self._calls.append((fn, future))
        self._wake.set()
        deadline = time.monotonic() + timeout
        while True:
            try:
                return future.result(0.1)
            except TimeoutError:
                if not self.alive:  # the thread ended before it got to the call: run it here
                    self._take(False)
                    return future.result(0)
                if time.monotonic() > deadline:
                    raise GanLabError("the training thread did not answer in time; try again") from None

    def take_changes(self) -> dict[str, Any]:
        """The settings edited since the last chunk, handed over once (training thread)."""
        with self._lock:
            changes, self._pending = self._pending, {}
        return changes

    # -- the loop (training thread) ------------------------------------------------------------
    def _take(self, running: bool) -> tuple[dict[str, Any], int]:
        """Answer queued calls; hand over step requests and, only when about to train
        (running, or stepping), the settings changed meanwhile."""
        with self._lock:
            steps, self._step_requests = self._step_requests, 0
            changes: dict[str, Any] = {}
            if running or steps:
                changes, self._pending = self._pending, {}
            calls = list(self._calls)
            self._calls.clear()
        for fn, future in calls:
            try:
                future.set_result(fn())
            except BaseException as exc:  # handed to the caller
                future.set_exception(exc)
        return changes, steps

    def _loop(self) -> None:
        try:
            self._publish()
            was_running = False
            while not self._stop.is_set():
                if self._out_of_time():
                    break
                running = self._running.is_set()
                changes, requested = self._take(running)
                if changes:
                    self._apply(changes)
                if was_running and not running:
                    self._publish()  # show exactly where it paused
                if running != was_running:
                    self.running_changed(running)
                was_running = running
                if not running:
                    if requested:
                        self._advance(max(1, min(requested, self.total_steps - self.steps_done)))
                        self._publish()
                    else:
                        self._wake.wait(0.25)
                        self._wake.clear()
                    continue
                remaining = self.total_steps - self.steps_done
                if remaining <= 0:
                    self.state, self.message = "finished", f"finished all {self.total_steps} steps"
                    break
                self._timed_chunk(min(self.chunk_size(), remaining))
            if self._stop.is_set() and self.state not in TERMINAL:
                self.state = "stopped"
        except TrainingDiverged as exc:
            self.state, self.message = "diverged", str(exc)
        except GanLabError as exc:
            self.state, self.message = "error", str(exc)
        except Exception as exc:  # a bug: keep the traceback in the log, show one line
            log.exception("training thread failed")
            self.state, self.message = "error", f"training failed: {type(exc).__name__}: {exc}"
        finally:
            self._running.clear()
            self.running_changed(False)
            try:
                self._publish()
            finally:
                self.slots.release(self.device_key, self.slot_weight)
                self._take(False)  # answer waiting calls

    def _out_of_time(self) -> bool:
        """The wall-time cap (GANLAB_MAX_JOB_SECONDS, paused time included): stop cleanly, say why."""
        if time.monotonic() - self._started_at < self.max_seconds:
            return False
        self.state = "stopped"
        self.message = (
            f"stopped after {self.max_seconds:,.0f} s: the time limit per run on this server "
            "(GANLAB_MAX_JOB_SECONDS). Save a checkpoint or press Train to start again."
        )
        return True

    def _timed_chunk(self, n: int) -> None:
        start = time.perf_counter()
        self._advance(n)
        self.meter.add(self.steps_done)
        self.fit_chunk(time.perf_counter() - start)
        wall = time.perf_counter()
        if wall - self._last_publish >= self._publish_interval:
            cpu = time.thread_time()  # the snapshot's own work, not its waits for the CPU or the GIL
            self._publish()
            self._publish_interval = publish_interval(
                self.publish_every_s, time.perf_counter() - wall, time.thread_time() - cpu, self.sharers()
            )
            self._last_publish = time.perf_counter()
