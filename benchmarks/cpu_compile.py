"""Does torch.compile pay on the CPU? A DCGAN-28 Trainer step, eager against G and D compiled,
in fp32 and bf16 autocast (issue #16).

    PYTHONPATH=. python benchmarks/cpu_compile.py [--steps 30] [--threads 1]

Prints, for each precision, the seconds of the first 3 steps (compiling included) and steps/s
after a warm-up, eager and compiled. Data: MNIST from $GANLAB_DATA, else digits at 28 px.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from ganlab.errors import DataUnavailable
from ganlab.families.gan.config import OptimizerConfig, TrainConfig
from ganlab.families.gan.trainer import Trainer


def make_trainer(precision: str) -> Trainer:
    adam = OptimizerConfig("adam", 2e-4, 0.5, 0.999)
    common = dict(
        image_size=28,
        model="dcgan",
        width=64,
        z_dim=100,
        objective="nonsaturating",
        g_optim=adam,
        d_optim=adam,
        batch_size=64,
        device="cpu",
        precision=precision,
        steps=10_000,
    )
    try:
        return Trainer(TrainConfig(dataset="mnist", data_root=os.environ.get("GANLAB_DATA"), **common))
    except DataUnavailable:
        return Trainer(TrainConfig(dataset="digits", **common))


def measure(precision: str, compiled: bool, steps: int) -> tuple[float, float]:
    """(seconds of the first 3 steps, steps/s after a warm-up)."""
    trainer = make_trainer(precision)
    if compiled:
        trainer.G, trainer.D = torch.compile(trainer.G), torch.compile(trainer.D)
    start = time.perf_counter()
    trainer.run(3)
    first = time.perf_counter() - start
    trainer.run(5)
    start = time.perf_counter()
    trainer.run(steps)
    return first, steps / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    for precision in ("fp32", "bf16"):
        for compiled in (False, True):
            first, rate = measure(precision, compiled, args.steps)
            label = "compiled" if compiled else "eager   "
            print(f"{precision} {label}: first 3 steps {first:5.1f} s, then {rate:6.2f} steps/s", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
