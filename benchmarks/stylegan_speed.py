"""Training throughput of the StyleGAN family vs the DCGAN at the same image size and batch.

    PYTHONPATH=. python benchmarks/stylegan_speed.py [--device cpu] [--steps 60] [--size 28] [--batch 64]

Both train on the same data (MNIST from $GANLAB_DATA when present, else scikit-learn digits
resized to --size) in one process, one after the other, after a few warm-up steps. Prints
steps/s of each configuration and the StyleGAN/DCGAN ratio.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch

from ganlab.data import load_dataset
from ganlab.errors import DataUnavailable
from ganlab.families.gan.config import TrainConfig
from ganlab.families.gan.trainer import Trainer
from ganlab.families.stylegan.presets import recommended_config
from ganlab.families.stylegan.trainer import StyleGANTrainer


def steps_per_s(trainer, steps: int, warmup: int = 5) -> float:
    trainer.run(warmup)
    start = time.perf_counter()
    trainer.run(steps)
    return steps / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--steps", type=int, default=60)
    parser.add_argument("--size", type=int, default=28)
    parser.add_argument("--batch", type=int, default=64)
    args = parser.parse_args()
    try:
        name, data = "mnist", load_dataset("mnist", image_size=args.size)
    except DataUnavailable:
        name, data = "digits", load_dataset("digits", image_size=args.size)
    common = dict(batch_size=args.batch, device=args.device, image_size=args.size, seed=0)
    runs = {
        "dcgan width 64": Trainer(TrainConfig(dataset=name, model="dcgan", width=64, z_dim=64, **common), data),
        "dcgan width 32": Trainer(TrainConfig(dataset=name, model="dcgan", width=32, z_dim=64, **common), data),
        "stylegan channels 16 (preset)": StyleGANTrainer(recommended_config(name, **common), data),
        "stylegan channels 16, adain": StyleGANTrainer(recommended_config(name, style_block="adain", **common), data),
    }
    print(
        f"{name} at {args.size} px, batch {args.batch}, {args.device}, {torch.get_num_threads()} threads, "
        f"{args.steps} timed steps each"
    )
    rates = {label: steps_per_s(trainer, args.steps) for label, trainer in runs.items()}
    for label, rate in rates.items():
        print(f"  {label:32s} {rate:6.2f} steps/s")
    ratio = rates["stylegan channels 16 (preset)"] / rates["dcgan width 64"]
    print(f"StyleGAN (preset) / DCGAN width 64: {ratio:.2f}x")


if __name__ == "__main__":
    main()
