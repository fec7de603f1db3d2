"""An inference-only copy of a run with a generator (GAN, StyleGAN): the generator (EMA weights
where kept) and the model card.

The one export path: ``python -m ganlab export`` and in-process saves for
inference (:func:`export_trainer`) both end in :func:`export_checkpoint`, so
they ship the same generator, BatchNorm statistics re-measured for EMA
weights included (an EMA copy's running statistics were measured with the
raw generator's weights).
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

import torch

from ganlab.engine.checkpoints import META, Checkpoint, build_module, load_checkpoint, read_meta, save_checkpoint
from ganlab.errors import CheckpointError, GanLabError

DROPPED_META = ("optimizers", "format", "format_version", "ganlab_version", "saved_at")  # training-only
RECALIBRATION_BATCHES = 100
RECALIBRATION_BATCH = 256


def generator_state(ckpt: Checkpoint) -> tuple[str, dict[str, torch.Tensor], bool]:
    """(prefix, weights, recalibrated) of the generator an export ships."""
    prefix = "G_ema" if ckpt.group("G_ema") else "G"
    state = ckpt.group(prefix)
    if prefix != "G_ema":
        return prefix, state, False
    state, done = _recalibrated(ckpt, state)
    return prefix, state, done


def _recalibrated(ckpt: Checkpoint, state: dict[str, torch.Tensor]) -> tuple[dict[str, torch.Tensor], bool]:
    """EMA weights with BatchNorm statistics measured for them (seeded: every export is the same)."""
    from ganlab.families.gan.trainer import make_noise
    from ganlab.inference.sample import labels_for
    from ganlab.nn.layers import recalibrate_batchnorm

    g = build_module(ckpt.meta.get("generator"), state, "EMA generator")
    noise = (ckpt.meta.get("config") or {}).get("noise", "normal")
    gen = torch.Generator().manual_seed(0)
    n, cpu = RECALIBRATION_BATCH, torch.device("cpu")
    inputs = lambda: (make_noise(noise, n, g.z_dim, gen), labels_for(g, n, None, cpu))  # noqa: E731
    done = recalibrate_batchnorm(g, inputs, batches=RECALIBRATION_BATCHES)
    return ({k: v.clone() for k, v in g.state_dict().items()} if done else state), done


def export_checkpoint(ckpt: Checkpoint, out: str | Path, name: str | None = None, source: str | None = None) -> Path:
    """Write the inference-only copy of ``ckpt`` to ``out``; never over a training run."""
    from ganlab.families import has_generator

    out = Path(out)
    if not has_generator(ckpt.kind):
        raise GanLabError(f"{ckpt.path.name} is a {ckpt.kind} checkpoint; export it with its own tools")
    prefix, state, recalibrated = generator_state(ckpt)
    if out.resolve() == ckpt.path.resolve():
        raise GanLabError("--out: must differ from the run folder (the run would be overwritten)")
    refuse_overwriting_a_run(out)
    meta: dict[str, Any] = {k: v for k, v in ckpt.meta.items() if k not in DROPPED_META}
    meta.update(
        name=name or out.name,
        discriminator=None,
        inference_only=True,
        exported_from=source or str(ckpt.path.name),
        batchnorm_recalibrated=recalibrated,
    )
    return save_checkpoint(out, {f"{prefix}.{k}": v for k, v in state.items()}, meta)


def export_trainer(
    trainer: Any, out: str | Path, name: str | None = None, metrics: dict | None = None, extra: dict | None = None
) -> Path:
    """Export a live GAN trainer: saved as a run first, then through :func:`export_checkpoint`, so
    the weights are exactly what ``python -m ganlab export`` would ship for that run."""
    from ganlab.families.gan.state import save_trainer

    out = Path(out)
    with tempfile.TemporaryDirectory(prefix="ganlab-export-") as tmp:
        run = save_trainer(trainer, Path(tmp) / out.name, metrics=metrics, extra=extra)
        return export_checkpoint(load_checkpoint(run), out, name, source=(extra or {}).get("source"))


def refuse_overwriting_a_run(out: Path) -> None:
    """An export may replace an earlier export, never a training run (that would lose its D and optimizers)."""
    if not (out / META).is_file():
        return
    try:
        inference_only = bool(read_meta(out).get("inference_only"))
    except CheckpointError:
        inference_only = False
    if not inference_only:
        raise GanLabError(
            f"--out: {out} already holds a training run (or another file named {META}); "
            "pick another folder (nothing was overwritten)"
        )
