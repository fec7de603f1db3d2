"""How much of a digit's identity the coarse styles carry: for each crossover layer, the share of
mixed samples the shipped classifier puts in the coarse (row) source's class.

    python benchmarks/style_mixing.py CHECKPOINT [--pairs 500] [--psi 1.0] [--seed 0] [--device cpu]

CHECKPOINT is a StyleGAN run folder, weights file or shipped name trained on a data set with a
shipped classifier (mnist, fashion, digits). Each pair draws a row source and a column
destination; a mixed sample takes layers [0, crossover) from the row. Only pairs whose two
sources the classifier puts in different classes count (otherwise both answers agree). Expect
"row class" at 0 at crossover 0 (the column image unchanged), rising as the crossover passes the
low-resolution layers that set the class, and 1 at the last layer (the row image unchanged).

Measured (digits preset, 1,500 steps, 289 s on one CPU thread; 1,000 pairs, 726 with different
classes): row class 0 / 30 / 50 / 80 / 85 / 100 % at crossover 0-5. At 16 px "coarse" is the
4 px layer alone; the class settles in coarse + middle (4 and 8 px), after which 80 % keep it.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402
from torch import Tensor  # noqa: E402

BATCH = 256  # syntheses per forward pass


def synthesize(gen, latents) -> Tensor:
    """All of ``latents`` as images, in batches (memory stays flat for many pairs)."""
    return torch.cat([gen.synthesize(latents.take(i, i + BATCH)) for i in range(0, len(latents), BATCH)])


def group_of(groups: dict, crossover: int) -> str:
    """The group the first column-side layer falls in ('-' past the last layer)."""
    return next((name for name, (start, end) in groups.items() if start <= crossover < end), "-")


def measure(gen, classifier, pairs: int, psi: float, seed: int) -> list[tuple[int, float, float, int]]:
    """(crossover, share in the row's class, share in the column's class, pairs counted) per layer."""
    from ganlab.families.stylegan.generator import mix
    from ganlab.inference.protocol import sample_latents

    rows, cols = sample_latents(gen, seed, pairs, psi), sample_latents(gen, seed + 1, pairs, psi)
    row_class, col_class = classifier.predict(synthesize(gen, rows)), classifier.predict(synthesize(gen, cols))
    differ = row_class != col_class
    table = []
    for crossover in range(gen.latent.num_layers + 1):
        got = classifier.predict(synthesize(gen, mix(gen, rows, cols, crossover)))[differ]
        n = int(differ.sum())
        table.append(
            (
                crossover,
                float((got == row_class[differ]).float().mean()) if n else float("nan"),
                float((got == col_class[differ]).float().mean()) if n else float("nan"),
                n,
            )
        )
    return table


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("checkpoint", help="StyleGAN run folder, model.safetensors file or shipped name")
    p.add_argument("--pairs", type=int, default=500, help="row/column pairs drawn")
    p.add_argument("--psi", type=float, default=1.0, help="truncation toward w_avg")
    p.add_argument("--seed", type=int, default=0, help="rows come from this seed, columns from seed + 1")
    p.add_argument("--device", default="cpu")
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    from ganlab.engine.devices import resolve_device
    from ganlab.errors import GanLabError
    from ganlab.families.stylegan.mixing import check_style
    from ganlab.inference.protocol import open_generator
    from ganlab.metrics.classifier import classifier_for

    try:
        gen, ckpt = open_generator(args.checkpoint, resolve_device(args.device))
        gen = check_style(gen, ckpt.name, ckpt.kind)
    except GanLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    dataset = (ckpt.meta.get("dataset") or {}).get("name", "")
    classifier = classifier_for(dataset)
    if classifier is None:
        print(
            f"error: no shipped classifier for data set {dataset!r} (mnist, fashion, digits have one)", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    table = measure(gen, classifier.to(gen.device), args.pairs, args.psi, args.seed)
    groups, layers = gen.latent.layer_groups, gen.latent.num_layers
    print(
        f"{ckpt.name}: {dataset}, {layers} style layers ({groups}), {args.pairs} pairs, psi {args.psi}, "
        f"{table[0][3]} pairs with different classes, {time.perf_counter() - started:.1f} s on {gen.device}"
    )
    print(f"{'crossover':>9}  {'columns start':<13} {'row class':>9} {'column class':>12}")
    for crossover, row_share, col_share, _ in table:
        print(f"{crossover:>9}  {group_of(groups, crossover):<13} {row_share:>9.1%} {col_share:>12.1%}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
