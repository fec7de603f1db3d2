"""Does bf16 autocast on the CPU keep quality? The digits preset's FD and the ring-8 preset's mode
coverage, fp32 against bf16, over several seeds (issue #16: within 10 %).

    PYTHONPATH=. python benchmarks/bf16_quality.py [--seeds 0,1,2] [--workers 2] [--skip-ring]

Each run trains the preset on one CPU thread with ``precision`` forced to fp32 or bf16 (auto
picks bf16 for images only on CPUs with bf16 in hardware: ``engine.devices.cpu_has_native_bf16``),
then scores it as ``python -m ganlab eval`` does (digits: FD on the shipped classifier's
features, 5,000 samples; ring8: modes captured and the high-quality share). Prints each seed,
the means, and bf16's mean FD over fp32's. Seconds are per run, on one thread.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from statistics import mean

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def train_and_score(dataset: str, precision: str, seed: int) -> dict:
    """Train the data set's preset at ``precision`` on one thread; its eval figures and seconds."""
    os.environ["OMP_NUM_THREADS"] = "1"
    import torch

    torch.set_num_threads(1)
    from ganlab.families.gan.presets import recommended_config
    from ganlab.families.gan.state import save_trainer
    from ganlab.families.gan.trainer import Trainer
    from ganlab.metrics.report import evaluate_checkpoint

    cfg = recommended_config(dataset).updated(seed=seed, device="cpu", precision=precision).validate()
    trainer = Trainer(cfg)
    start = time.perf_counter()
    while trainer.step_count < cfg.steps:
        trainer.run(min(cfg.snapshot_every, cfg.steps - trainer.step_count))
    seconds = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as tmp:
        save_trainer(trainer, Path(tmp) / "run")
        report = evaluate_checkpoint(Path(tmp) / "run", n=5000 if dataset == "digits" else None, seed=seed)
    row = dict(dataset=dataset, precision=precision, seed=seed, seconds=seconds, autocast=str(trainer.autocast_dtype))
    if dataset == "digits":
        row["fd"] = report["generated"]["fd"]
    else:
        coverage = report.get("mode_coverage") or report
        row["modes"] = coverage.get("modes_captured")
        row["hq"] = coverage.get("high_quality")
    return row


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seeds", default="0,1,2")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--skip-ring", action="store_true")
    args = parser.parse_args()
    from ganlab.engine.devices import cpu_has_native_bf16

    seeds = [int(s) for s in args.seeds.split(",")]
    datasets = ["digits"] + ([] if args.skip_ring else ["ring8"])
    jobs = [(d, p, s) for d in datasets for s in seeds for p in ("fp32", "bf16")]
    print(f"CPU with bf16 in hardware: {cpu_has_native_bf16()}; seeds {seeds}; one thread per run", flush=True)
    with ProcessPoolExecutor(args.workers) as pool:
        rows = list(pool.map(train_and_score, *zip(*jobs)))
    for row in rows:
        figures = f"FD {row['fd']:.2f}" if "fd" in row else f"modes {row['modes']}/8, HQ {row['hq']:.3f}"
        print(f"{row['dataset']:7s} {row['precision']} seed {row['seed']}: {figures}  ({row['seconds']:.0f} s)")
    fd = {p: mean(r["fd"] for r in rows if r["dataset"] == "digits" and r["precision"] == p) for p in ("fp32", "bf16")}
    print(f"digits mean FD: fp32 {fd['fp32']:.2f}, bf16 {fd['bf16']:.2f}; bf16 / fp32 = {fd['bf16'] / fd['fp32']:.2f}")
    if not args.skip_ring:
        for p in ("fp32", "bf16"):
            ring = [r for r in rows if r["dataset"] == "ring8" and r["precision"] == p]
            print(f"ring8 {p}: modes {[r['modes'] for r in ring]}, HQ mean {mean(r['hq'] for r in ring):.3f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
