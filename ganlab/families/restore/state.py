"""Save a restoration run (G, D, optimizers, RNG) and continue it exactly.

The checkpoint is also what inference reads: ``kind: "restore"``, the task,
the generator's architecture under ``generator`` and its weights as ``G.*``
(:mod:`ganlab.inference.restore` needs nothing else).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganlab.engine.checkpoints import load_checkpoint, module_spec, save_checkpoint
from ganlab.engine.state import restore_runner, runner_state, stored_training_config
from ganlab.families.restore.config import RestoreConfig
from ganlab.families.restore.trainer import RestoreStats, RestoreTrainer

KIND = "restore"
HISTORY_KEPT = 5000


def save_restore(trainer: RestoreTrainer, folder: str | Path, metrics: dict | None = None) -> Path:
    """A resumable checkpoint that is also a restoration model."""
    tensors, state_meta = runner_state(trainer)
    cfg = trainer.cfg
    meta: dict[str, Any] = {
        "kind": KIND,
        "name": Path(folder).name,
        "config": cfg.to_dict(),
        "dataset": trainer.data.summary(),
        "task": cfg.task,
        "model": cfg.model,
        "scale": trainer.task.scale,
        "channels": trainer.data.channels,
        "content_network": trainer.content_description,
        "value_range": "[0, 1] outside the networks",
        "generator": module_spec(trainer.G),
        "metrics": metrics or {},
        "inference_only": False,
        "history": [s.as_dict() for s in trainer.history[-HISTORY_KEPT:]],
    }
    if trainer.D is not None:
        meta["discriminator"] = module_spec(trainer.D)
    meta.update(state_meta)
    return save_checkpoint(folder, tensors, meta)


def restore_restore(spec: str | Path, device: str | None = None, data=None, **overrides: Any) -> RestoreTrainer:
    """Continue a saved run: weights, optimizer moments, RNG, step and loss history."""
    ckpt = load_checkpoint(spec)
    cfg = stored_training_config(
        ckpt, KIND, RestoreConfig, "holds no restoration training state; it cannot resume as a restoration run"
    )
    if device is not None:
        overrides["device"] = device
    trainer = RestoreTrainer(cfg.updated(**overrides), data, warm_start=False)  # weights come next
    restore_runner(trainer, ckpt, labels={"G": "generator", "D": "discriminator"})
    trainer.history = [RestoreStats(**row) for row in ckpt.meta.get("history", []) if isinstance(row, dict)]
    return trainer
