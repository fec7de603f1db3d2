"""Tune a StyleGAN preset by measurement: train the data set's preset and variants of it for the
same steps and seed, then score each with ``eval``'s figures (FD, KID, precision/recall on the
shipped classifier's features, class shares), side by side with the preset as the reference.

    python benchmarks/stylegan_presets.py --dataset digits [--steps 1500] [--workers 2] [--only preset,ema-0.999]

Each candidate is the preset with a few fields changed (CANDIDATES below). Candidates train in
``--workers`` processes of one CPU thread each (the preset's steps/s is per thread), so on two
cores two candidates train at once. Lower FD and KID are better; "FD / preset" under 1 beats the
preset. The numbers are noisy at one seed: a change of a few percent is not a result.

Measured (``--dataset digits --workers 1``: 1,500 steps, seed 0, one thread, 2-core VM, 5,000 samples;
real vs real FD 1.81):

    candidate          FD  FD/preset     KID   prec  recall  classes  share min-max  seconds
    preset          10.13       1.00   0.283   0.57    0.81     9/10    2.9%-14.0%       189
    ema-0.999       56.93       5.62   8.173   0.19    0.20     5/10    0.1%-44.5%       194
    no-mixing        9.72       0.96   0.391   0.59    0.75     9/10    4.1%-18.3%       196
    lr-1e-3         16.29       1.61   0.633   0.59    0.64     8/10    1.4%-19.3%       201
    lr-decay        12.31       1.22   0.339   0.56    0.63     9/10    1.9%-16.4%       209

No-mixing's FD is within one seed's noise of the preset's, with a worse KID and recall; the
preset stays (mixing is also what keeps the layers' roles apart for the Style mixing tab).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

# name -> fields changed from the preset (the preset itself is "preset")
CANDIDATES: dict[str, dict] = {
    "preset": {},
    "ema-0.999": {"ema": 0.999},
    "no-mixing": {"mixing_prob": 0.0},
    "lr-1e-3": {"g_lr": 1e-3, "d_lr": 1e-3},
    "lr-decay": {"lr_decay": "linear"},
    "channels-32": {"channels": 32},
    "r1-0.1": {"r1_weight": 0.1},
    "r1-4": {"r1_weight": 4.0},
    "batch-64": {"batch_size": 64},
}


def train_and_score(dataset: str, name: str, steps: int, seed: int, eval_n: int) -> dict:
    """Train one candidate on one thread, save it, and return its eval figures and wall time."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    from ganlab.families.stylegan.presets import recommended_config
    from ganlab.families.stylegan.state import save_stylegan
    from ganlab.families.stylegan.trainer import StyleGANTrainer
    from ganlab.metrics.report import evaluate_checkpoint

    changes = dict(CANDIDATES[name])
    rates = {k: changes.pop(k) for k in ("g_lr", "d_lr") if k in changes}
    cfg = recommended_config(dataset, steps=steps, seed=seed, device="cpu", **changes).updated(**rates).validate()
    trainer = StyleGANTrainer(cfg)
    start = time.perf_counter()
    trainer.run(steps)
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        save_stylegan(trainer, Path(tmp) / name)
        report = evaluate_checkpoint(Path(tmp) / name, n=eval_n, seed=seed)
    gen, classes = report["generated"], report.get("classes") or {}
    shares = classes.get("shares") or [float("nan")]
    return dict(
        name=name,
        seconds=seconds,
        fd=gen["fd"],
        kid=gen["kid"],
        precision=gen["precision"],
        recall=gen["recall"],
        classes=f"{classes.get('classes_present', '?')}/{classes.get('classes_total', '?')}",
        share_min=min(shares),
        share_max=max(shares),
        real_fd=report["real_vs_real"]["fd"],
    )


def print_table(rows: list[dict]) -> None:
    ref = next((r for r in rows if r["name"] == "preset"), rows[0])
    print(
        f"{'candidate':<13}{'FD':>8}{'FD/preset':>11}{'KID':>8}{'prec':>7}{'recall':>8}{'classes':>9}"
        f"{'share min-max':>15}{'seconds':>9}"
    )
    for r in rows:
        print(
            f"{r['name']:<13}{r['fd']:>8.2f}{r['fd'] / ref['fd']:>11.2f}{r['kid']:>8.3f}{r['precision']:>7.2f}"
            f"{r['recall']:>8.2f}{r['classes']:>9}{r['share_min']:>8.1%}-{r['share_max']:<6.1%}{r['seconds']:>9.0f}"
        )
    print(f"(real vs real FD on the same features: {ref['real_fd']:.2f})")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--steps", type=int, default=None, help="default: the preset's steps")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--eval-n", type=int, default=5000)
    parser.add_argument("--only", default=None, help="comma-separated candidate names")
    args = parser.parse_args()
    from ganlab.families.stylegan.presets import recommended

    names = args.only.split(",") if args.only else list(CANDIDATES)
    unknown = [n for n in names if n not in CANDIDATES]
    if unknown:
        print(f"error: unknown candidate {unknown[0]!r}; known: {', '.join(CANDIDATES)}", file=sys.stderr)
        return 2
    steps = args.steps or recommended(args.dataset)["steps"]
    print(
        f"StyleGAN preset candidates on {args.dataset}: {steps} steps, seed {args.seed}, "
        f"{args.workers} worker(s) x 1 thread, eval on {args.eval_n} samples",
        flush=True,
    )
    with ProcessPoolExecutor(args.workers) as pool:
        futures = [pool.submit(train_and_score, args.dataset, n, steps, args.seed, args.eval_n) for n in names]
        rows = [f.result() for f in futures]
    print_table(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
