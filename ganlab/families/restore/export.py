"""An inference-only copy of a restoration run: G and the model card, no D, no optimizer state.

What ``pretrained/`` ships for the restore family (``python -m ganlab export RUN --out FOLDER``):
exactly the weights ``restore`` and the Restore tab read, a quarter of the run's size.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganlab.engine.checkpoints import Checkpoint, save_checkpoint
from ganlab.errors import GanLabError
from ganlab.families.gan.export import DROPPED_META, refuse_overwriting_a_run

TRAINING_ONLY = ("rng", "discriminator")  # besides the engine's DROPPED_META
HISTORY_ROWS = 500  # the loss curve a card keeps: evenly spaced steps, the last one included


def thinned(history: list, rows: int = HISTORY_ROWS) -> list:
    """At most ``rows`` of a step history, evenly spaced, always ending with the last step."""
    if len(history) <= rows:
        return list(history)
    step = len(history) / rows
    return [history[min(len(history) - 1, round((i + 1) * step) - 1)] for i in range(rows)]


def export_restorer(ckpt: Checkpoint, out: str | Path, name: str | None = None) -> Path:
    """Write G (never over a training run) with the card: task, channels, config, metrics, history."""
    out = Path(out)
    if ckpt.kind != "restore":
        raise GanLabError(f"{ckpt.path.name} is a {ckpt.kind} checkpoint, not a restoration run")
    if out.resolve() == ckpt.path.resolve():
        raise GanLabError("--out: must differ from the run folder (the run would be overwritten)")
    refuse_overwriting_a_run(out)
    meta: dict[str, Any] = {k: v for k, v in ckpt.meta.items() if k not in (*DROPPED_META, *TRAINING_ONLY)}
    meta.update(
        name=name or out.name,
        inference_only=True,
        exported_from=ckpt.path.name,
        history=thinned(meta.get("history") or []),
    )
    return save_checkpoint(out, {f"G.{k}": v for k, v in ckpt.group("G").items()}, meta)
