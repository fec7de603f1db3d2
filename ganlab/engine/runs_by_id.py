"""Runs addressed by an id instead of a browser session: what scripts and AI assistants start.

A browser's run lives in its session's ``gr.State``. An MCP tool call has no session (Gradio
hands every call the State's default), so the run tools take and return an explicit run id
instead. The ids are random 128-bit hex strings, so one caller cannot guess another's run.
A run nobody has asked about for ``GANLAB_TOOL_RUN_TTL`` seconds is stopped and forgotten,
so a client that walks away never holds a device slot for long.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any, Callable

from ganlab import limits
from ganlab.errors import GanLabError

log = logging.getLogger(__name__)
SWEEP_EVERY_S = 30.0


def close_job(job: Any) -> None:
    """Stop a job and free its device slot; cleanup never raises."""
    try:
        (getattr(job, "close", None) or job.stop)()
    except Exception:
        log.exception("closing a run failed")


@dataclass
class _Entry:
    job: Any
    touched: float = field(default_factory=time.monotonic)


class RunsById:
    """Jobs by run id, each stopped after its time to live without a call."""

    def __init__(
        self,
        ttl_s: Callable[[], float] = lambda: limits.get("tool_run_ttl"),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._ttl_s = ttl_s
        self._clock = clock
        self._lock = threading.Lock()
        self._entries: dict[str, _Entry] = {}
        self._sweeper: threading.Thread | None = None

    def add(self, job: Any) -> str:
        """Keep ``job`` under a new id and return the id."""
        run_id = uuid.uuid4().hex
        with self._lock:
            self._entries[run_id] = _Entry(job, self._clock())
        self._start_sweeper()
        return run_id

    def get(self, run_id: str) -> Any:
        """The job of ``run_id`` (its time to live starts again); GanLabError when there is none."""
        with self._lock:
            entry = self._entries.get(str(run_id or "").strip())
            if entry is not None:
                entry.touched = self._clock()
        if entry is None:
            raise GanLabError(
                f"run_id: no run {run_id!r} here; start one with start_training (runs not asked "
                f"about for {self._ttl_s():.0f} s are stopped and forgotten)"
            )
        return entry.job

    def remove(self, run_id: str) -> Any:
        """Forget ``run_id`` and return its job (the caller stops it)."""
        job = self.get(run_id)
        with self._lock:
            self._entries.pop(str(run_id).strip(), None)
        return job

    def ids(self) -> list[str]:
        with self._lock:
            return list(self._entries)

    def sweep(self) -> list[str]:
        """Stop and forget every run past its time to live; return their ids."""
        deadline = self._clock() - self._ttl_s()
        with self._lock:
            expired = {k: e for k, e in self._entries.items() if e.touched < deadline}
            for run_id in expired:
                del self._entries[run_id]
        for entry in expired.values():
            close_job(entry.job)
        return list(expired)

    def _start_sweeper(self) -> None:
        with self._lock:
            if self._sweeper is not None and self._sweeper.is_alive():
                return
            self._sweeper = threading.Thread(target=self._sweep_forever, name="ganlab-run-sweeper", daemon=True)
            self._sweeper.start()

    def _sweep_forever(self) -> None:
        while True:
            time.sleep(min(SWEEP_EVERY_S, max(1.0, self._ttl_s() / 4)))
            try:
                self.sweep()
            except Exception:  # the sweeper must outlive one bad job
                log.exception("sweeping expired runs failed")


RUNS = RunsById()
