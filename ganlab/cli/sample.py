"""``python -m ganlab sample``: N samples from a checkpoint.

2D models write a CSV with header ``x,y`` (1D models: ``x``); image models write a folder of N
PNG files. CHECKPOINT is a run folder, a checkpoint file, or a shipped name.
"""

from __future__ import annotations

import argparse
from pathlib import Path

MAX_SAMPLES = 1_000_000


def register(sub) -> None:
    p = sub.add_parser("sample", help="draw samples from a checkpoint")
    p.add_argument("checkpoint", help="run folder, model.safetensors file, or shipped name (e.g. mnist)")
    p.add_argument("--n", type=int, required=True, help="how many samples")
    p.add_argument("--out", type=Path, required=True, help="CSV path (2D models) or folder (image models)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--label", type=int, default=None, help="class for conditional models (default: all classes)")
    p.add_argument("--truncation", type=float, default=1.0, help="scale latent codes by psi in (0, 1]")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganlab.engine.checkpoints import META, WEIGHTS
    from ganlab.engine.devices import resolve_device
    from ganlab.errors import GanLabError
    from ganlab.inference.protocol import open_generator
    from ganlab.inference.sample import generate, save_image_folder, save_points_csv

    if not 1 <= args.n <= MAX_SAMPLES:
        raise GanLabError(f"--n: must be in [1, {MAX_SAMPLES:,}]; got {args.n}")
    if not 0 < args.truncation <= 1:
        raise GanLabError(f"--truncation: must be in (0, 1]; got {args.truncation}")
    g, _ = open_generator(args.checkpoint, resolve_device(args.device))
    samples = generate(g, args.n, seed=args.seed, label=args.label, truncation=args.truncation)
    if samples.dim() == 2:
        if args.out.is_dir() or args.out.name in (META, WEIGHTS):
            raise GanLabError(
                f"--out: {args.out} is a folder or a checkpoint file; give a new .csv path (nothing was overwritten)"
            )
        save_points_csv(samples, args.out)
        print(f"wrote {args.n} points to {args.out}")
    else:
        if args.out.exists() and not args.out.is_dir():
            raise GanLabError(f"--out: {args.out} is a file; image samples go into a folder")
        save_image_folder(samples, args.out)
        print(f"wrote {args.n} PNG files to {args.out}/")
    return 0
