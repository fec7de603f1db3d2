"""Save a CycleGAN run (all four networks, optimizers, RNG), resume it, export one direction.

Training checkpoints hold tensors ``G_AB.*``, ``G_BA.*``, ``D_A.*``,
``D_B.*``, optimizer moments and the random generator's state; an export
holds one generator as ``G.*`` (fp16 by default: half the size, same
pictures) with ``kind: "cyclegan"``, its direction, domain names and the
name of its inverse, so the translate CLI and the Style tab can pair
``summer2winter`` with ``winter2summer`` for round trips.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ganlab.engine.checkpoints import load_checkpoint, module_spec, prefixed, save_checkpoint
from ganlab.errors import ConfigError
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.trainer import CycleGANTrainer, CycleStats
from ganlab.engine.state import restore_runner, runner_state, stored_training_config

HISTORY_KEPT = 5000  # loss rows stored in model.json (the curve a resumed run shows)


def _base_meta(trainer: CycleGANTrainer, name: str, metrics: dict | None) -> dict[str, Any]:
    return {
        "kind": "cyclegan",
        "name": name,
        "config": trainer.cfg.to_dict(),
        "dataset": trainer.data.summary(),
        "step": trainer.step_count,
        "total_steps": trainer.total_steps,
        "device": str(trainer.device),
        "wall_time_s": round(trainer.wall_time_s, 2),
        "metrics": metrics or {},
    }


def save_cyclegan(trainer: CycleGANTrainer, folder: str | Path, metrics: dict | None = None) -> Path:
    """A resumable training checkpoint (a few times the size of one generator)."""
    tensors, state_meta = runner_state(trainer)
    meta = _base_meta(trainer, Path(folder).name, metrics)
    meta.update(state_meta)
    meta.update(
        inference_only=False,
        generators={n: module_spec(trainer.networks[n]) for n in ("G_AB", "G_BA")},
        discriminators={n: module_spec(trainer.networks[n]) for n in ("D_A", "D_B")},
        history=[s.as_dict() for s in trainer.history[-HISTORY_KEPT:]],
    )
    return save_checkpoint(folder, tensors, meta)


def export_direction(
    trainer: CycleGANTrainer,
    folder: str | Path,
    direction: str = "AtoB",
    inverse: str | None = None,
    metrics: dict | None = None,
    half: bool = True,
    card: dict | None = None,
) -> Path:
    """An inference-only checkpoint of one generator (``AtoB``: G_AB, ``BtoA``: G_BA)."""
    if direction not in ("AtoB", "BtoA"):
        raise ConfigError(f"direction: must be AtoB or BtoA; got {direction!r}")
    g = trainer.G_AB if direction == "AtoB" else trainer.G_BA
    a, b = trainer.domains
    source, target = (a, b) if direction == "AtoB" else (b, a)
    dtype = torch.float16 if half else torch.float32
    state = {k: v.detach().to("cpu", dtype) for k, v in g.state_dict().items()}
    meta = _base_meta(trainer, Path(folder).name, metrics)
    meta.update(
        inference_only=True,
        direction=direction,
        source=source,
        target=target,
        inverse=inverse,
        generator=module_spec(g),
        weights_dtype=str(dtype).replace("torch.", ""),
        card=card or {},
    )
    return save_checkpoint(folder, prefixed("G", state), meta)


def restore_cyclegan(spec: str | Path, device: str | None = None, data=None, **overrides: Any) -> CycleGANTrainer:
    """Continue a saved run: weights, optimizer moments, RNG, step and loss history.

    The image pools start empty again (they refill within ``pool_size`` steps).
    """
    ckpt = load_checkpoint(spec)
    meta = ckpt.meta
    cfg = stored_training_config(
        ckpt,
        "cyclegan",
        CycleGANConfig,
        "holds no CycleGAN training state (it is inference-only or not a CycleGAN "
        "run); it can translate but not resume",
    )
    if device is not None:
        overrides["device"] = device
    trainer = CycleGANTrainer(cfg.updated(**overrides), data)
    restore_runner(trainer, ckpt)
    trainer.total_steps = max(int(meta.get("total_steps", cfg.steps)), trainer.step_count + 1)
    trainer.history = [CycleStats(**row) for row in meta.get("history", []) if isinstance(row, dict)]
    return trainer
