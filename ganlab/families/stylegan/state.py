"""Save a StyleGAN run and bring it back exactly where it stopped; ship its EMA generator.

The engine's :mod:`~ganlab.engine.state` does the tensors (G, D, G_ema, the path-length mean,
optimizer moments, RNG); this adds what only a StyleGAN run stores. An inference-only copy goes
through the one export path (:func:`ganlab.families.gan.export.export_checkpoint`), so a live
export and ``python -m ganlab export`` ship the same generator.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from ganlab.data import DataSource
from ganlab.engine.checkpoints import load_checkpoint, module_spec, save_checkpoint
from ganlab.engine.state import restore_runner, runner_state, stored_training_config
from ganlab.errors import CheckpointError
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.trainer import StyleGANTrainer

KIND = "stylegan"
NETWORK_LABELS = {"G": "generator", "D": "discriminator", "G_ema": "EMA generator", "PL": "path-length mean"}


def run_meta(trainer: StyleGANTrainer, folder: Path, metrics: dict | None, extra: dict | None) -> dict[str, Any]:
    """model.json of a resumable StyleGAN run (the engine adds optimizers, step and wall time)."""
    return {
        "kind": KIND,
        "name": Path(folder).name,
        "generator": module_spec(trainer.G),
        "discriminator": module_spec(trainer.D),
        "ema": trainer.G_ema is not None,
        "config": trainer.cfg.to_dict(),
        "dataset": trainer.data.summary(),
        "objective": trainer.cfg.objective,
        "num_layers": trainer.G.num_layers,
        "layer_groups": trainer.G.layer_groups,
        "metrics": metrics or {},
        "inference_only": False,
        **(extra or {}),
    }


def save_stylegan(
    trainer: StyleGANTrainer,
    folder: str | Path,
    metrics: dict | None = None,
    inference_only: bool = False,
    extra: dict | None = None,
) -> Path:
    """Write ``model.safetensors`` + ``model.json``; ``inference_only`` ships just the generator
    (EMA weights where kept, with its ``w_avg``)."""
    folder = Path(folder)
    if inference_only:
        return export_stylegan(trainer, folder, metrics=metrics, extra=extra)
    tensors, state_meta = runner_state(trainer)
    meta = run_meta(trainer, folder, metrics, extra)
    meta.update(state_meta)
    return save_checkpoint(folder, tensors, meta)


def export_stylegan(
    trainer: StyleGANTrainer,
    out: str | Path,
    name: str | None = None,
    metrics: dict | None = None,
    extra: dict | None = None,
) -> Path:
    """Saved as a run first, then exported: exactly what ``python -m ganlab export`` ships."""
    from ganlab.families.gan.export import export_checkpoint

    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="ganlab-export-") as tmp:
        run = save_stylegan(trainer, Path(tmp) / out.name, metrics=metrics, extra=extra)
        return export_checkpoint(load_checkpoint(run), out, name, source=(extra or {}).get("source"))


def restore_stylegan(
    spec: str | Path, device: str | None = None, data: DataSource | None = None, **overrides: Any
) -> StyleGANTrainer:
    """A trainer that continues a saved run exactly: weights, optimizer moments, RNG, step."""
    ckpt = load_checkpoint(spec)
    cfg = stored_training_config(
        ckpt, KIND, StyleGANConfig, "is not a resumable StyleGAN run (another kind, or inference-only)"
    )
    if device is not None:
        overrides["device"] = device
    trainer = StyleGANTrainer(cfg.updated(**overrides), data)
    meta = ckpt.meta
    if module_spec(trainer.G) != meta.get("generator") or module_spec(trainer.D) != meta.get("discriminator"):
        raise CheckpointError(
            f"{ckpt.path.name}: the stored architecture does not match what its config builds on this data set"
        )
    return restore_runner(trainer, ckpt, labels=NETWORK_LABELS, fallbacks={"G_ema": "G"})
