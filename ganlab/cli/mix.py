"""``python -m ganlab mix CHECKPOINT --rows 1,2,3 --cols 4,5,6 --out grid.png``: a style-mixing grid.

Cell (r, c) takes the row seed's styles on layers [0, crossover) (coarse: pose, shape) and the
column seed's from the crossover on (fine: stroke, texture); the top row shows the column
sources and the left column the row sources (Karras et al. 2019, figure 3).
"""

from __future__ import annotations

import argparse
from pathlib import Path

MAX_SEEDS = 16


def register(sub) -> None:
    p = sub.add_parser("mix", help="write a style-mixing grid from a stylegan checkpoint")
    p.add_argument("checkpoint", help="stylegan run folder, model.safetensors file, or shipped name")
    p.add_argument("--rows", required=True, help="comma-separated seeds of the row (coarse-style) sources")
    p.add_argument("--cols", required=True, help="comma-separated seeds of the column (destination) images")
    p.add_argument("--crossover", type=int, default=None,
                   help="first layer taken from the column (default: the end of the coarse layers)")
    p.add_argument("--psi", type=float, default=1.0, help="truncation toward w_avg, in [0, 2]")
    p.add_argument("--noise-seed", type=int, default=None, help="per-layer noise seed (default: fixed)")
    p.add_argument("--out", type=Path, required=True, help="PNG file to write")
    p.add_argument("--device", default="cpu")
    p.set_defaults(func=run)


def parse_seeds(flag: str, text: str) -> list[int]:
    """'1,2,3' -> [1, 2, 3]; GanLabError naming the flag for anything else."""
    from ganlab.errors import GanLabError

    parts = [p.strip() for p in str(text).split(",")]
    if not parts or not all(p.isdigit() for p in parts) or len(parts) > MAX_SEEDS:
        raise GanLabError(f"{flag}: must be 1 to {MAX_SEEDS} comma-separated whole seeds (e.g. 1,2,3); got {text!r}")
    seeds = [int(p) for p in parts]
    if any(s >= 2**63 for s in seeds):
        raise GanLabError(f"{flag}: seeds must be below 2^63; got {text!r}")
    return seeds


def run(args: argparse.Namespace) -> int:
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.engine.devices import resolve_device
    from ganlab.errors import GanLabError
    from ganlab.families.stylegan.generator import StyleGANGenerator, mixing_grid
    from ganlab.inference.protocol import open_generator
    from ganlab.render.images import image_grid, png_bytes

    rows, cols = parse_seeds("--rows", args.rows), parse_seeds("--cols", args.cols)
    if not 0 <= args.psi <= 2:
        raise GanLabError(f"--psi: must be in [0, 2]; got {args.psi}")
    if args.out.is_dir() or args.out.suffix.lower() != ".png":
        raise GanLabError(f"--out: must be a .png file path; got {args.out}")
    gen, ckpt = open_generator(args.checkpoint, resolve_device(args.device))
    if not isinstance(gen, StyleGANGenerator):
        raise GanLabError(f"{ckpt.name} is a {ckpt.kind} checkpoint with no style layers; "
                          "style mixing needs a stylegan checkpoint")
    layers = gen.latent.num_layers
    crossover = gen.latent.layer_groups["coarse"][1] if args.crossover is None else args.crossover
    if not 0 <= crossover <= layers:
        raise GanLabError(f"--crossover: must be in [0, {layers}] (this generator has {layers} style layers); "
                          f"got {crossover}")
    images = mixing_grid(gen, rows, cols, crossover, args.psi, args.noise_seed)
    size = images.shape[-1]
    grid = image_grid(images, nrow=len(cols) + 1, scale=max(1, 64 // size))
    atomic_write_bytes(args.out, png_bytes(grid))
    print(f"wrote {args.out}: {len(rows)} x {len(cols)} mixes at crossover {crossover} of {layers} layers")
    return 0
