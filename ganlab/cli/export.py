"""``python -m ganlab export RUN --out FOLDER``: an inference-only copy of a run.

Keeps the generator (its EMA weights where the run kept them) and the model
card, drops D and optimizer state: what ``pretrained/`` ships. The work is
:func:`ganlab.families.gan.export.export_checkpoint`, shared with in-process exports.
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
    from ganlab.engine.checkpoints import load_checkpoint
    from ganlab.families.gan.export import export_checkpoint
    from ganlab.families.restore.export import export_restorer

    ckpt = load_checkpoint(args.run)
    exporter = {"restore": export_restorer}.get(ckpt.kind, export_checkpoint)  # GAN, StyleGAN: the default
    exporter(ckpt, args.out, args.name)
    size = (args.out / "model.safetensors").stat().st_size / 2**20
    print(f"wrote {args.out} ({size:.2f} MB, generator only)")
    return 0
