"""A classroom on one CPU: N students' ring8 runs in one batched group vs N solo Trainers (issue #15).

    OMP_NUM_THREADS=2 PYTHONPATH=. python benchmarks/classroom.py [--students 1 8 24 48] [--steps 200]
        [--coverage 24] [--coverage-steps 6000] [--waves 3] [--threads 2]

For each N, N students run the ring8 preset (seeds 0..N-1) on ``--threads`` threads:
the group (:class:`ganlab.families.gan.batched.GanGroup`, chunks of 25 steps) and, as the reference measured
in the same run, the same N runs as separate solo Trainers stepped round-robin in
one thread (25 steps each in turn, what N threads sharing 2 cores amount to at best).
Prints each run's steps/s (median, min), the total, and the ratio. Then ``--coverage``
students train in one group until each first shows 8/8 modes with >= 96 % high
quality (mode_coverage of its 1,024 fixed samples, checked every 500 steps), and the
RSS before and after ``--waves`` waves of 24 students joining, training 50 steps and
leaving. Goal (issue #15): 24 students, each >= 50 steps/s on 2 cores.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from ganlab.families.gan.batched import GanGroup
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.trainer import Trainer
from ganlab.metrics.toy2d import mode_coverage

CHUNK = 25


def student(seed: int) -> Trainer:
    return Trainer(recommended_config("ring8").updated(seed=seed, device="cpu"))


def rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def group_rates(n: int, steps: int) -> list[float]:
    """Each member's steps/s over ``steps`` steps in one group (after a short warm-up)."""
    group = GanGroup()
    ids = [group.join(student(s)) for s in range(n)]
    group.run(CHUNK)
    start = {i: group.trainer(i).wall_time_s for i in ids}
    for _ in range(steps // CHUNK):
        group.run(CHUNK)
    return [(steps // CHUNK) * CHUNK / (group.trainer(i).wall_time_s - start[i]) for i in ids]


def round_robin_rates(n: int, steps: int) -> list[float]:
    """N solo Trainers taking turns in one thread: each one's steps per second of wall time."""
    trainers = [student(s) for s in range(n)]
    for t in trainers:
        t.run(CHUNK)
    rounds = max(1, steps // CHUNK)
    start = time.perf_counter()
    for _ in range(rounds):
        for t in trainers:
            t.run(CHUNK)
    wall = time.perf_counter() - start
    return [rounds * CHUNK / wall] * n


def throughput(students: list[int], steps: int) -> None:
    print(
        f"{'N':>3} | {'group each (median / min)':>26} | {'group total':>11} | "
        f"{'solo round-robin each':>21} | {'total':>7} | ratio"
    )
    for n in students:
        g = group_rates(n, steps)
        ref_steps = max(CHUNK, steps // max(1, n // 8))  # keep the slow reference's wall time bounded
        r = round_robin_rates(n, ref_steps)
        gt, rt = sum(g), sum(r)
        print(
            f"{n:3d} | {statistics.median(g):11.1f} / {min(g):6.1f} steps/s | {gt:7.0f} /s | "
            f"{statistics.median(r):15.1f} steps/s | {rt:5.0f}/s | {gt / rt:4.1f}x",
            flush=True,
        )


def time_to_coverage(n: int, max_steps: int) -> None:
    """Wall time until each of n students first shows 8/8 modes with >= 96 % HQ (every 500 steps)."""
    group = GanGroup()
    ids = [group.join(student(s)) for s in range(n)]
    reached: dict[int, tuple[int, float]] = {}
    start = time.perf_counter()
    done = 0
    while done < max_steps and len(reached) < n:
        for _ in range(500 // CHUNK):
            group.run(CHUNK)
        done += 500
        now = time.perf_counter() - start
        for i in ids:
            if i in reached:
                continue
            t = group.trainer(i)
            cov = mode_coverage(t.sample_fixed(), t.data.modes, t.data.sigma)
            if cov.modes_captured == cov.modes_total and cov.high_quality >= 0.96:
                reached[i] = (t.step_count, now)
    times = sorted(s for _, s in reached.values())
    steps_at = sorted(st for st, _ in reached.values())
    print(f"\n{n} students in one group: {len(reached)}/{n} reached 8/8 modes with >= 96 % HQ within {max_steps} steps")
    if times:
        print(
            f"  time to get there: median {statistics.median(times):.0f} s, slowest {times[-1]:.0f} s; "
            f"steps: median {statistics.median(steps_at):.0f}, most {steps_at[-1]}"
        )


def memory_waves(waves: int, size: int = 24) -> None:
    group = GanGroup()
    gc.collect()
    before = rss_mb()
    for wave in range(waves):
        ids = [group.join(student(1000 * wave + s)) for s in range(size)]
        group.run(50)
        for i in ids:
            group.leave(i)
        gc.collect()
        print(f"  after wave {wave + 1}: RSS {rss_mb():.0f} MB", flush=True)
    print(f"RSS before {before:.0f} MB, after {waves} waves of {size}: {rss_mb():.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--students", type=int, nargs="+", default=[1, 8, 24, 48])
    parser.add_argument("--steps", type=int, default=200, help="steps measured per group")
    parser.add_argument("--coverage", type=int, default=24, help="students in the time-to-8/8 run (0: skip)")
    parser.add_argument("--coverage-steps", type=int, default=6000)
    parser.add_argument("--waves", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    print(f"ring8 preset (width 128, batch 256, R1 every 8), CPU, {args.threads} threads, torch {torch.__version__}")
    throughput(args.students, args.steps)
    if args.waves:
        print()
        memory_waves(args.waves)
    if args.coverage:
        time_to_coverage(args.coverage, args.coverage_steps)


if __name__ == "__main__":
    main()
