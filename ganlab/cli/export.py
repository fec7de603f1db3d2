"""``python -m ganlab export RUN --out FOLDER``: an inference-only copy of a run.

Keeps the generator (its EMA weights where the run kept them) and the model
card, drops D and optimizer state: what ``pretrained/`` ships.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("export", help="write an inference-only (generator) checkpoint")
    p.add_argument("run", help="run folder or checkpoint to export")
    p.add_argument("--out", type=Path, required=True, help="folder to write (e.g. pretrained/mnist)")
    p.add_argument("--name", default=None, help="name in the model card (default: the folder name)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganlab.engine.checkpoints import load_checkpoint, save_checkpoint
    from ganlab.errors import GanLabError

    ckpt = load_checkpoint(args.run)
    if ckpt.kind != "gan":
        raise GanLabError(f"{ckpt.path.name} is a {ckpt.kind} checkpoint; export it with its own tools")
    prefix = "G_ema" if ckpt.group("G_ema") else "G"
    state = ckpt.group(prefix)
    recalibrated = False
    if prefix == "G_ema":
        state, recalibrated = _recalibrated(ckpt, state)
    tensors = {f"{prefix}.{k}": v for k, v in state.items()}
    if args.out.resolve() == ckpt.path.resolve():
        raise GanLabError("--out: must differ from the run folder (the run would be overwritten)")
    _refuse_overwriting_a_run(args.out)
    meta = {k: v for k, v in ckpt.meta.items() if k not in ("optimizers", "format", "format_version",
                                                             "ganlab_version", "saved_at")}
    meta.update(name=args.name or args.out.name, discriminator=None, inference_only=True,
                exported_from=str(ckpt.path.name), batchnorm_recalibrated=recalibrated)
    save_checkpoint(args.out, tensors, meta)
    size = (args.out / "model.safetensors").stat().st_size / 2**20
    print(f"wrote {args.out} ({size:.2f} MB, generator only)")
    return 0


def _recalibrated(ckpt, state: dict) -> tuple[dict, bool]:
    """EMA weights with BatchNorm statistics measured for them (see recalibrate_batchnorm)."""
    import torch

    from ganlab.engine.checkpoints import build_module
    from ganlab.nn.layers import recalibrate_batchnorm
    from ganlab.inference.sample import labels_for
    from ganlab.families.gan.trainer import make_noise

    g = build_module(ckpt.meta.get("generator"), state, "EMA generator")
    noise = (ckpt.meta.get("config") or {}).get("noise", "normal")
    gen = torch.Generator().manual_seed(0)
    inputs = lambda: (make_noise(noise, 256, g.z_dim, gen), labels_for(g, 256, None, torch.device("cpu")))
    done = recalibrate_batchnorm(g, inputs, batches=100)
    return ({k: v.clone() for k, v in g.state_dict().items()} if done else state), done


def _refuse_overwriting_a_run(out) -> None:
    """An export may replace an earlier export, never a training run (that would lose its D and optimizers)."""
    from ganlab.engine.checkpoints import META, read_meta
    from ganlab.errors import CheckpointError, GanLabError

    if not (out / META).is_file():
        return
    try:
        inference_only = bool(read_meta(out).get("inference_only"))
    except CheckpointError:
        inference_only = False
    if not inference_only:
        raise GanLabError(f"--out: {out} already holds a training run (or another file named {META}); "
                          "pick another folder (nothing was overwritten)")
