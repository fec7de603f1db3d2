"""The StyleGAN family's part of ``python -m ganlab train --model stylegan``: its flags, its
config, what a run writes (model.safetensors + model.json, losses.csv, samples.png: the fixed
grid). Unset options come from the data set's preset, then a ``--config`` file, then flags."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganlab.cli.loop import LoopHooks
from ganlab.cli.options import add_flag, layered_config
from ganlab.families.gan.cli import adversarial_hooks, add_optimizer_flags, apply_optimizer_flags, write_samples
from ganlab.families.stylegan.config import STYLE_BLOCKS, StyleGANConfig
from ganlab.families.stylegan.trainer import StyleGANTrainer

# flag dest -> type for StyleGANConfig fields (flags the GAN family declared first mean the same)
FIELD_FLAGS = {
    "objective": str,
    "z_dim": int,
    "w_dim": int,
    "mapping_layers": int,
    "channels": int,
    "mixing_prob": float,
    "r1_weight": float,
    "r1_every": int,
    "pl_weight": float,
    "pl_every": int,
    "ema": float,
    "snapshot_every": int,
    "lr_decay": str,
}
SHARED_FIELDS = ("steps", "batch_size", "seed", "device", "precision", "image_size", "data_root")
SWITCHES = ("conditional", "download")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """StyleGAN flags (the shared ones, e.g. --steps, belong to ``ganlab train`` itself)."""
    group = parser.add_argument_group("StyleGAN (--model stylegan: images)")
    for name, kind in FIELD_FLAGS.items():
        add_flag(group, "--" + name.replace("_", "-"), type=kind, default=None)
    add_flag(
        group,
        "--style-block",
        choices=STYLE_BLOCKS,
        default=None,
        help="modulated (StyleGAN2 weight demodulation) or adain (StyleGAN1)",
    )
    add_flag(group, "--conditional", action="store_true", default=None, help="class-conditional G and D")
    add_flag(group, "--download", action="store_true", default=None, help="download torchvision sets if missing")
    add_optimizer_flags(group)


def build_config(args: argparse.Namespace) -> StyleGANConfig:
    """Preset for the data set, then a --config file, then explicit flags; validated once."""
    from ganlab.families.stylegan.presets import recommended

    cfg = layered_config(
        StyleGANConfig, args, recommended(args.dataset), (*FIELD_FLAGS, "style_block", *SHARED_FIELDS, *SWITCHES)
    )
    apply_optimizer_flags(cfg, args)
    return cfg.validate()


def start(args: argparse.Namespace) -> StyleGANTrainer:
    return StyleGANTrainer(build_config(args))


def resume(args: argparse.Namespace) -> StyleGANTrainer:
    from ganlab.families.stylegan.state import restore_stylegan

    trainer = restore_stylegan(args.out)
    changes = {k: v for k, v in (("steps", args.steps), ("lr_decay", getattr(args, "lr_decay", None))) if v is not None}
    if changes:  # a longer run, or a schedule for its rest: both leave the steps already taken alone
        trainer.cfg = trainer.cfg.updated(**changes).validate()
    return trainer


def loop_hooks(trainer: StyleGANTrainer, out: Path, args: argparse.Namespace) -> LoopHooks:
    from ganlab.families.stylegan.state import save_stylegan

    return adversarial_hooks(trainer, out, args, save_stylegan)


def finish(trainer: StyleGANTrainer, out: Path, args: argparse.Namespace, status: str) -> str:
    """The last checkpoint and samples; the closing line."""
    from ganlab.families.stylegan.state import save_stylegan

    save_stylegan(trainer, out)
    write_samples(trainer, out / "samples.png")
    return f"{status} at step {trainer.step_count} on {trainer.device} in {trainer.wall_time_s:.1f}s; wrote {out}"
