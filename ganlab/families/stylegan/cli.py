"""The StyleGAN family's part of ``python -m ganlab train --model stylegan``: its flags, its
config, what a run writes (model.safetensors + model.json, losses.csv, samples.png: the fixed
grid). Unset options come from the data set's preset, then a ``--config`` file, then flags."""

from __future__ import annotations

import argparse
from pathlib import Path

from ganlab.cli.loop import LoopHooks
from ganlab.cli.options import add_flag
from ganlab.errors import GanLabError
from ganlab.families.gan.cli import write_samples
from ganlab.families.gan.config import OPTIMIZERS
from ganlab.families.gan.trainer import HISTORY_COLUMNS
from ganlab.families.stylegan.config import STYLE_BLOCKS, StyleGANConfig
from ganlab.families.stylegan.trainer import StyleGANTrainer

# flag dest -> type for StyleGANConfig fields (flags the GAN family declared first mean the same)
FIELD_FLAGS = {
    "objective": str, "z_dim": int, "w_dim": int, "mapping_layers": int, "channels": int, "mixing_prob": float,
    "r1_weight": float, "r1_every": int, "pl_weight": float, "pl_every": int, "ema": float, "snapshot_every": int,
}
SHARED_FIELDS = ("steps", "batch_size", "seed", "device", "precision", "image_size", "data_root")
SWITCHES = ("conditional", "download")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """StyleGAN flags (the shared ones, e.g. --steps, belong to ``ganlab train`` itself)."""
    group = parser.add_argument_group("StyleGAN (--model stylegan: images)")
    for name, kind in FIELD_FLAGS.items():
        add_flag(group, "--" + name.replace("_", "-"), type=kind, default=None)
    add_flag(group, "--style-block", choices=STYLE_BLOCKS, default=None,
             help="modulated (StyleGAN2 weight demodulation) or adain (StyleGAN1)")
    add_flag(group, "--conditional", action="store_true", default=None, help="class-conditional G and D")
    add_flag(group, "--download", action="store_true", default=None, help="download torchvision sets if missing")
    for net in ("g", "d"):
        add_flag(group, f"--{net}-optim", choices=OPTIMIZERS, default=None)
        add_flag(group, f"--{net}-lr", type=float, default=None)
        add_flag(group, f"--{net}-betas", type=float, nargs=2, default=None, metavar=("B1", "B2"))


def build_config(args: argparse.Namespace) -> StyleGANConfig:
    """Preset for the data set, then a --config file, then explicit flags; validated once."""
    from ganlab.families.stylegan.presets import recommended

    fields = recommended(args.dataset)
    if args.config:
        if not args.config.is_file():
            raise GanLabError(f"--config: file not found: {args.config}")
        fields.update(vars(StyleGANConfig.from_json(args.config.read_text())))
        fields.pop("dataset", None)
    for name in (*FIELD_FLAGS, "style_block", *SHARED_FIELDS, *SWITCHES):
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    cfg = StyleGANConfig(dataset=args.dataset, **fields)
    for net in ("g", "d"):
        opt = getattr(cfg, f"{net}_optim")
        if getattr(args, f"{net}_optim", None):
            opt.name = getattr(args, f"{net}_optim")
        if getattr(args, f"{net}_lr", None) is not None:
            opt.lr = getattr(args, f"{net}_lr")
        if getattr(args, f"{net}_betas", None):
            opt.beta1, opt.beta2 = getattr(args, f"{net}_betas")
    return cfg.validate()


def start(args: argparse.Namespace) -> StyleGANTrainer:
    return StyleGANTrainer(build_config(args))


def resume(args: argparse.Namespace) -> StyleGANTrainer:
    from ganlab.families.stylegan.state import restore_stylegan

    trainer = restore_stylegan(args.out)
    if args.steps is not None:
        trainer.cfg = trainer.cfg.updated(steps=args.steps)
    return trainer


def loop_hooks(trainer: StyleGANTrainer, out: Path, args: argparse.Namespace) -> LoopHooks:
    """Fixed chunks of ``snapshot_every`` steps, D and G losses on the bar."""
    from ganlab.families.stylegan.state import save_stylegan

    def save() -> None:
        save_stylegan(trainer, out)
        write_samples(trainer, out / "samples.png")

    cfg = trainer.cfg
    return LoopHooks(columns=HISTORY_COLUMNS, total=lambda: trainer.cfg.steps, save=save,
                     chunk_size=lambda _last: trainer.cfg.snapshot_every,
                     postfix=lambda s: {"d": f"{s.d_loss:.3f}", "g": f"{s.g_loss:.3f}"},
                     checkpoint_every=args.checkpoint_every or max(cfg.snapshot_every, min(1000, cfg.steps // 5 or 1)))


def finish(trainer: StyleGANTrainer, out: Path, args: argparse.Namespace, status: str) -> str:
    """The last checkpoint and samples; the closing line."""
    from ganlab.families.stylegan.state import save_stylegan

    save_stylegan(trainer, out)
    write_samples(trainer, out / "samples.png")
    return f"{status} at step {trainer.step_count} on {trainer.device} in {trainer.wall_time_s:.1f}s; wrote {out}"
