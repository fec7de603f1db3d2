"""Seconds per photo and peak memory for CycleGAN translation on the CPU.

    python benchmarks/translate_speed.py               # shipped models + official size, 2 threads
    python benchmarks/translate_speed.py --threads 4 --sizes 256 512 1024

Each (model, size) runs in its own subprocess so its peak resident memory
(``ru_maxrss``) is its own: the figure includes Python, torch and the model.
The official-size generator (ngf 64, 9 blocks; random weights, same cost)
is the reference the shipped models are compared with in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

REFERENCE = "official-size (ngf 64, 9 blocks)"


def child(model: str, size: int, threads: int, repeats: int) -> dict:
    import torch

    torch.set_num_threads(threads)
    from PIL import Image

    from ganlab.inference.translate import translate_image

    if model == REFERENCE:
        from ganlab.families.cyclegan.models import ResnetGenerator

        g = ResnetGenerator(ngf=64, n_blocks=9).eval()
    else:
        from ganlab.families.cyclegan.io import load_translator

        g = load_translator(model, "AtoB", "cpu", follow_inverse=False).forward
    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    image = Image.effect_noise((size, size), 40).convert("RGB")
    translate_image(g, image)  # warm-up (allocator, oneDNN kernels)
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        out = translate_image(g, image)
        times.append(time.perf_counter() - start)
    assert out.size == image.size
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    return {
        "model": model,
        "size": size,
        "median_s": statistics.median(times),
        "min_s": min(times),
        "peak_rss_mb": peak / 1024,
        "before_mb": base_rss / 1024,
        "params_m": sum(p.numel() for p in g.parameters()) / 1e6,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--sizes", type=int, nargs="+", default=[256, 1024])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--models", nargs="*", default=None, help="checkpoints (default: shipped CycleGANs)")
    parser.add_argument("--child", nargs=2, metavar=("MODEL", "SIZE"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child[0], int(args.child[1]), args.threads, args.repeats)))
        return
    if args.models is None:
        from ganlab.inference.catalog import list_checkpoints

        args.models = [str(e.path) for e in list_checkpoints("cyclegan") if e.shipped]
    models = args.models + [REFERENCE]
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores visible, "
        f"torch threads {args.threads}, load average {load:.2f} at start"
    )
    print(f"{'model':<36} {'size':>6} {'median s':>9} {'min s':>7} {'peak RSS MB':>12} {'params M':>9}")
    rows = []
    for model in models:
        for size in args.sizes:
            repeats = args.repeats if size <= 512 else max(2, args.repeats // 2)
            cmd = [
                sys.executable,
                __file__,
                "--threads",
                str(args.threads),
                "--repeats",
                str(repeats),
                "--child",
                model,
                str(size),
            ]
            done = subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT)
            if done.returncode != 0:
                print(f"{model:<36} {size:>6}  failed: {done.stderr.strip().splitlines()[-1:]}")
                continue
            row = json.loads(done.stdout.strip().splitlines()[-1])
            rows.append(row)
            label = Path(model).name if model != REFERENCE else model
            print(
                f"{label:<36} {size:>6} {row['median_s']:>9.3f} {row['min_s']:>7.3f} "
                f"{row['peak_rss_mb']:>12.0f} {row['params_m']:>9.2f}",
                flush=True,
            )
    ref = {r["size"]: r["median_s"] for r in rows if r["model"] == REFERENCE}
    for r in rows:
        if r["model"] != REFERENCE and r["size"] in ref:
            print(
                f"{Path(r['model']).name} at {r['size']} px: {ref[r['size']] / r['median_s']:.1f}x faster "
                "than the official size"
            )
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(f"load average {load:.2f} at end (other processes share these cores: compare within one run)")


if __name__ == "__main__":
    main()
