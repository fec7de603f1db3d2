"""Save a GAN Trainer to a checkpoint folder and bring it back exactly where it stopped (the
engine's :mod:`~ganlab.engine.state` does the tensors; this adds what only a GAN run stores)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


from ganlab.engine.checkpoints import load_checkpoint, module_spec, save_checkpoint
from ganlab.engine.state import restore_runner, runner_state, stored_training_config
from ganlab.families.gan.config import TrainConfig
from ganlab.data import DataSource
from ganlab.errors import CheckpointError
from ganlab.families.gan.trainer import Trainer


POINTS_FILE = "points.csv"  # a CSV/drawn run's own points, saved beside its weights
NETWORK_LABELS = {"G": "generator", "D": "discriminator", "G_ema": "EMA generator"}


def save_trainer(
    trainer: Trainer,
    folder: str | Path,
    metrics: dict | None = None,
    inference_only: bool = False,
    extra: dict | None = None,
) -> Path:
    """Write ``model.safetensors`` + ``model.json``; ``inference_only`` keeps just the generator
    (EMA weights where used) for shipping."""
    meta: dict[str, Any] = {
        "kind": "gan",
        "name": Path(folder).name,
        "generator": module_spec(trainer.G),
        "discriminator": None if inference_only else module_spec(trainer.D),
        "ema": trainer.G_ema is not None,
        "config": trainer.cfg.to_dict(),
        "dataset": trainer.data.summary(),
        "objective": trainer.cfg.objective,
        "step": trainer.step_count,
        "device": str(trainer.device),
        "wall_time_s": round(trainer.wall_time_s, 2),
        "metrics": metrics or {},
        "inference_only": inference_only,
        **(extra or {}),
    }
    if inference_only:  # the one export path: the same generator `python -m ganlab export` ships
        from ganlab.families.gan.export import export_trainer

        return export_trainer(trainer, folder, metrics=metrics, extra=extra)
    tensors, state_meta = runner_state(trainer)
    meta.update(state_meta)
    if trainer.cfg.dataset.strip().lower().startswith("csv:"):
        meta["points_file"] = _keep_points(trainer, Path(folder))
    return save_checkpoint(folder, tensors, meta)


def _keep_points(trainer: Trainer, folder: Path) -> str:
    """A run on the user's own points keeps a copy of them beside the weights: an upload or a
    drawing lives in a temporary folder, and resuming needs the very same data."""
    from ganlab.engine.checkpoints import atomic_write_bytes

    rows = trainer.data.data.cpu().tolist()
    raw = ("x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in rows)).encode()
    path = folder / POINTS_FILE
    if not (path.is_file() and path.read_bytes() == raw):  # a run saves often; its data never change
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, raw)
    return POINTS_FILE


def restore_trainer(
    spec: str | Path, device: str | None = None, data: DataSource | None = None, **overrides: Any
) -> Trainer:
    """A Trainer that continues a saved run exactly: weights, optimizer moments, RNG, step."""
    ckpt = load_checkpoint(spec)
    meta = ckpt.meta
    cfg = stored_training_config(
        ckpt, "gan", TrainConfig, "holds no training state (it is inference-only); it can be sampled but not resumed"
    )
    if device is not None:
        overrides["device"] = device
    kept = ckpt.path / str(meta.get("points_file") or POINTS_FILE)
    if data is None and "dataset" not in overrides and meta.get("points_file") and kept.is_file():
        overrides["dataset"] = f"csv:{kept}"  # the copy saved with the run, wherever the original went
    cfg = cfg.updated(**overrides)
    trainer = Trainer(cfg, data)
    if module_spec(trainer.G) != meta.get("generator") or module_spec(trainer.D) != meta.get("discriminator"):
        raise CheckpointError(
            f"{ckpt.path.name}: the stored architecture does not match what its config builds on this data set"
        )
    return restore_runner(trainer, ckpt, labels=NETWORK_LABELS, fallbacks={"G_ema": "G"})
