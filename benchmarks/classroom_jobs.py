"""N live ring-8 runs through TrainingJob, as the app starts them: steps/s each, batched vs threads.

    PYTHONPATH=. python benchmarks/classroom_jobs.py --students 8 24 --seconds 20

Each student's run is a TrainingJob (its own thread, snapshots twice a second, probes, KL/JS)
on the ring-8 preset with its own seed. "batched": the device's classroom trains the runs of one
shape in one GanGroup step (the default); "threads": GANLAB_BATCHED=0, every run steps alone in
its own thread, as before issue #15. Both in the same process, one after the other.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import torch

from ganlab.engine.background import DeviceSlots
from ganlab.families.gan.job import TrainingJob
from ganlab.families.gan.presets import recommended_config


def measure(students: int, seconds: float, batched: bool) -> list[float]:
    os.environ["GANLAB_BATCHED"] = "1" if batched else "0"
    os.environ["GANLAB_MAX_JOBS_CPU"] = str(10 * students)  # this measures speed, not the cap
    slots = DeviceSlots()
    jobs = [
        TrainingJob(recommended_config("ring8").updated(seed=s, device="cpu", steps=100_000), slots=slots)
        for s in range(students)
    ]
    for j in jobs:
        j.start()
    time.sleep(3.0)  # warm up: chunk sizes settle
    start = [j.trainer.step_count for j in jobs]
    time.sleep(seconds)
    rates = [(j.trainer.step_count - s0) / seconds for j, s0 in zip(jobs, start)]
    for j in jobs:
        j.close()
    return rates


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--students", type=int, nargs="+", default=[8, 24])
    p.add_argument("--seconds", type=float, default=20.0)
    args = p.parse_args()
    torch.set_num_threads(int(os.environ.get("OMP_NUM_THREADS", "2")))
    print(f"ring8 preset through TrainingJob, CPU, {torch.get_num_threads()} threads")
    print("  N | mode    | each: median / min steps/s | total")
    for n in args.students:
        for batched in (True, False):
            rates = measure(n, args.seconds, batched)
            print(
                f"{n:3d} | {'batched' if batched else 'threads':7s} | {statistics.median(rates):9.1f} / "
                f"{min(rates):6.1f}          | {sum(rates):6.0f}"
            )


if __name__ == "__main__":
    main()
