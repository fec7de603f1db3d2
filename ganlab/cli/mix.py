"""``python -m ganlab mix CHECKPOINT --rows 1,2,3 --cols 4,5,6 --out grid.png``: a style-mixing grid.

Cell (r, c) takes the row seed's styles on layers [0, crossover) (coarse: pose, shape) and the
column seed's from the crossover on (fine: stroke, texture); the top row shows the column
sources and the left column the row sources (Karras et al. 2019, figure 3). The picture is
:func:`ganlab.families.stylegan.mixing.mixing_picture`, the same one the app's Style mixing tab shows.
"""

from __future__ import annotations

import argparse
from pathlib import Path


def register(sub) -> None:
    p = sub.add_parser("mix", help="write a style-mixing grid from a stylegan checkpoint")
    p.add_argument("checkpoint", help="stylegan run folder, model.safetensors file, or shipped name")
    p.add_argument("--rows", required=True, help="comma-separated seeds of the row (coarse-style) sources")
    p.add_argument("--cols", required=True, help="comma-separated seeds of the column (destination) images")
    p.add_argument(
        "--crossover",
        type=int,
        default=None,
        help="first layer taken from the column (default: the end of the coarse layers)",
    )
    p.add_argument("--psi", type=float, default=1.0, help="truncation toward w_avg, in [0, 2]")
    p.add_argument("--noise-seed", type=int, default=None, help="per-layer noise seed (default: fixed)")
    p.add_argument("--out", type=Path, required=True, help="PNG file to write")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.engine.devices import resolve_device
    from ganlab.errors import GanLabError
    from ganlab.families.stylegan import mixing
    from ganlab.inference.protocol import open_generator
    from ganlab.render.images import png_bytes

    rows, cols = mixing.parse_seeds("--rows", args.rows), mixing.parse_seeds("--cols", args.cols)
    psi = mixing.check_psi(args.psi, "--psi")
    if args.out.is_dir() or args.out.suffix.lower() != ".png":
        raise GanLabError(f"--out: must be a .png file path; got {args.out}")
    gen, ckpt = open_generator(args.checkpoint, resolve_device(args.device))
    gen = mixing.check_style(gen, ckpt.name, ckpt.kind)
    crossover = mixing.default_crossover(gen) if args.crossover is None else args.crossover
    crossover = mixing.check_crossover(gen, crossover, "--crossover")
    grid = mixing.mixing_picture(gen, rows, cols, crossover, psi, args.noise_seed)
    atomic_write_bytes(args.out, png_bytes(grid))
    print(
        f"wrote {args.out}: {len(rows)} x {len(cols)} mixes at crossover {crossover} of {gen.latent.num_layers} layers"
    )
    return 0
