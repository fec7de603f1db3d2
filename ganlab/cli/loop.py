"""The chunked training loop of ``python -m ganlab train``, for every family.

Run a chunk of steps, append its rows to ``losses.csv``, move the progress
bar, checkpoint now and then, and stop on divergence or before a deadline.
What differs between families (columns, what a save writes, how big a chunk
is, re-planning a time budget) comes in as :class:`LoopHooks` from the family's ``cli`` module.
"""

from __future__ import annotations

import contextlib
import csv
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Sequence

from ganlab.errors import TrainingDiverged

QUIET_LOG_EVERY_S = 30.0  # with --quiet there is no bar: a log line this often instead


@dataclass
class LoopHooks:
    """The parts of a run that depend on the kind of trainer."""

    columns: Sequence[str]  # losses.csv header; each step's ``as_dict()`` has these keys
    total: Callable[[], int]  # planned length (a time budget may re-plan it)
    save: Callable[[], None]  # checkpoint + samples.png, mid-run
    chunk_size: Callable[[Any | None], int]  # steps for the next ``run``, from the last step's stats
    postfix: Callable[[Any], dict[str, str]]  # progress-bar fields from the last step's stats
    replan: Callable[[int, float, float, float], None] | None = None  # (start_step, start_t, now, deadline)
    reserve_s: float = 0.0  # kept back from the deadline for the final save
    save_every_s: float | None = None  # also save when this long has passed since the last save
    checkpoint_every: int = 1000  # steps between mid-run saves


def train_in_chunks(trainer, out: Path, hooks: LoopHooks, deadline: float | None, quiet: bool) -> str:
    """Train to ``hooks.total()``; return "finished", "stopped early" or "diverged".

    In a distributed run (``trainer.world``) every rank runs this loop in step; only rank 0
    writes losses.csv and checkpoints, and the ranks stop at a deadline together."""
    from tqdm import tqdm

    world = getattr(trainer, "world", None)
    main = world is None or world.is_main
    losses_path = out / "losses.csv"
    fresh = trainer.step_count == 0 or not losses_path.exists()
    bar = tqdm(
        total=hooks.total(), initial=trainer.step_count, disable=quiet or not main, unit="step", dynamic_ncols=True
    )
    status, last = "finished", None
    checkpoint_every = hooks.checkpoint_every
    next_save, last_save_t = trainer.step_count + checkpoint_every, time.monotonic()
    start_step, start_t = trainer.step_count, time.monotonic()
    last_log_t = start_t
    if not fresh and main:
        drop_rows_after(losses_path, trainer.step_count)
    with open(losses_path, "w" if fresh else "a", newline="") if main else contextlib.nullcontext() as handle:
        writer = csv.DictWriter(handle, fieldnames=list(hooks.columns)) if main else None
        if fresh and main:
            writer.writeheader()
        while trainer.step_count < hooks.total():
            chunk = min(hooks.chunk_size(last), hooks.total() - trainer.step_count)
            try:
                stats = trainer.run(chunk)
            except TrainingDiverged as exc:
                bar.write(f"stopped: {exc}")
                status = "diverged"
                break
            if main:
                writer.writerows(s.as_dict() for s in stats)
                handle.flush()
            last = stats[-1]
            fields = hooks.postfix(last)
            bar.update(len(stats))
            bar.set_postfix(refresh=False, **fields)
            now = time.monotonic()
            if quiet and main and now - last_log_t > QUIET_LOG_EVERY_S:
                _log_progress(trainer, hooks, fields, (trainer.step_count - start_step) / max(now - start_t, 1e-6))
                last_log_t = now
            if deadline is not None and hooks.replan is not None:
                hooks.replan(start_step, start_t, now, deadline)
                bar.total = hooks.total()
            if deadline is not None and _out_of_time(trainer, hooks, last, now, deadline):
                bar.write(f"time budget reached at step {trainer.step_count}")
                status = "stopped early"
                break
            due_by_time = hooks.save_every_s is not None and now - last_save_t > hooks.save_every_s
            if trainer.step_count < hooks.total() and (trainer.step_count >= next_save or due_by_time):
                if main:
                    hooks.save()
                checkpoint_every = hooks.checkpoint_every
                next_save, last_save_t = trainer.step_count + checkpoint_every, time.monotonic()
    bar.close()
    return status


def drop_rows_after(losses_path: Path, step: int) -> int:
    """Cut ``losses.csv`` back to the checkpoint's step before a resume appends to it.

    Rows are written every chunk but checkpoints only now and then, so a run killed between
    two saves (kill -9, out of memory, a closed laptop) leaves rows the checkpoint never saw;
    the resumed run trains those steps again, and without this cut each would appear twice.
    Returns how many rows were dropped."""
    from ganlab.engine.checkpoints import atomic_write_bytes

    with open(losses_path, newline="") as handle:
        lines = handle.read().splitlines(keepends=True)
    kept = lines[:1] + [line for line in lines[1:] if _row_step(line) <= step]
    if len(kept) < len(lines):
        atomic_write_bytes(losses_path, "".join(kept).encode())
    return len(lines) - len(kept)


def _row_step(line: str) -> int:
    """A losses.csv row's step (its first column in every family); an unreadable row counts as past."""
    try:
        return int(line.split(",", 1)[0])
    except ValueError:
        return sys.maxsize


def _log_progress(trainer, hooks: LoopHooks, fields: dict[str, str], rate: float) -> None:
    """The --quiet mode's line (there is no bar): step, steps/s and the bar's fields."""
    line = " ".join(f"{k} {v}" for k, v in fields.items())
    print(f"step {trainer.step_count}/{hooks.total()} {rate:.1f} it/s {line}", file=sys.stderr, flush=True)


def _out_of_time(trainer, hooks: LoopHooks, last, now: float, deadline: float) -> bool:
    """Whether the next chunk would overrun the deadline (less the final save's reserve); in a
    distributed run the ranks decide together, so none waits for a rank that stopped."""
    if trainer.step_count >= hooks.total():
        return False
    next_chunk = min(hooks.chunk_size(last), hooks.total() - trainer.step_count)
    over = now + next_chunk * last.seconds > deadline - hooks.reserve_s
    world = getattr(trainer, "world", None)
    return over if world is None else world.any(over, trainer.device)
