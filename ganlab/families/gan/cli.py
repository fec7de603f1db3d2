"""The GAN family's part of ``python -m ganlab train``: its flags, its config, what a run writes.

RUN_DIR/model.safetensors + model.json (the checkpoint), losses.csv (one row
per step) and samples.png (the fixed-noise grid, real vs generated points, or for 1D data the
density chart with D and the optimal D*).
Unset options come from the data set's recommended preset
(:mod:`ganlab.families.gan.presets`), then a ``--config`` file, then flags.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any, Callable

from ganlab.cli.loop import LoopHooks
from ganlab.cli.options import add_flag, layered_config
from ganlab.families.gan.config import OPTIMIZERS, TrainConfig
from ganlab.families.gan.trainer import HISTORY_COLUMNS, Trainer

# CLI flag -> TrainConfig field, for flags that map one to one (None: not given).
FIELD_FLAGS = {
    "objective": str,
    "width": int,
    "depth": int,
    "norm": str,
    "d_norm": str,
    "conditioning": str,
    "gp_weight": float,
    "r1_weight": float,
    "r1_every": int,
    "clip_value": float,
    "z_dim": int,
    "noise": str,
    "d_steps": int,
    "snapshot_every": int,
    "ema": float,
    "lr_decay": str,
}
SHARED_FIELDS = ("model", "steps", "batch_size", "seed", "device", "precision", "image_size", "data_root")
SWITCHES = ("conditional", "spectral_norm", "download")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """GAN-only flags (the shared ones, e.g. --steps, belong to ``ganlab train`` itself)."""
    group = parser.add_argument_group("GAN (2D points and images: mlp, dcgan)")
    for name, kind in FIELD_FLAGS.items():
        add_flag(group, "--" + name.replace("_", "-"), type=kind, default=None)
    add_flag(group, "--conditional", action="store_true", default=None, help="class-conditional G and D")
    add_flag(group, "--spectral-norm", action="store_true", default=None, help="spectral norm on D")
    add_flag(group, "--download", action="store_true", default=None, help="download torchvision sets if missing")
    add_optimizer_flags(group)


def build_config(args: argparse.Namespace) -> TrainConfig:
    """Preset for the data set, then a --config file, then explicit flags; validated once."""
    from ganlab.families.gan.presets import recommended

    cfg = layered_config(TrainConfig, args, recommended(args.dataset), (*FIELD_FLAGS, *SHARED_FIELDS, *SWITCHES))
    apply_optimizer_flags(cfg, args)
    return cfg.validate()


def add_optimizer_flags(group) -> None:
    """--g-optim/--d-optim, --g-lr/--d-lr, --g-betas/--d-betas: every family with a G and a D."""
    for net in ("g", "d"):
        add_flag(group, f"--{net}-optim", choices=OPTIMIZERS, default=None)
        add_flag(group, f"--{net}-lr", type=float, default=None)
        add_flag(group, f"--{net}-betas", type=float, nargs=2, default=None, metavar=("B1", "B2"))


def apply_optimizer_flags(cfg, args: argparse.Namespace) -> None:
    """Put the optimizer flags that were given into ``cfg.g_optim``/``cfg.d_optim``."""
    for net in ("g", "d"):
        opt = getattr(cfg, f"{net}_optim")
        if getattr(args, f"{net}_optim", None):
            opt.name = getattr(args, f"{net}_optim")
        if getattr(args, f"{net}_lr", None) is not None:
            opt.lr = getattr(args, f"{net}_lr")
        if getattr(args, f"{net}_betas", None):
            opt.beta1, opt.beta2 = getattr(args, f"{net}_betas")


def start(args: argparse.Namespace) -> Trainer:
    return Trainer(build_config(args))


def resume(args: argparse.Namespace) -> Trainer:
    from ganlab.families.gan.state import restore_trainer

    trainer = restore_trainer(args.out, device=args.device if args.device not in (None, "auto") else None)
    if args.steps is not None:
        trainer.cfg = trainer.cfg.updated(steps=args.steps)
    return trainer


def write_samples(trainer: Trainer, path: Path) -> None:
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.render.images import image_grid, png_bytes
    from ganlab.render.points import clouds_image
    from ganlab.data.toy1d import is_1d

    if is_1d(trainer.data):
        from ganlab.families.gan.probes1d import probe_trainer
        from ganlab.render.density1d import density_view

        atomic_write_bytes(path, png_bytes(density_view(probe_trainer(trainer))))
        return
    fake = trainer.sample_fixed()
    if trainer.data.kind == "image":
        img = image_grid(fake, nrow=8, scale=max(1, 128 // fake.shape[-1]))
    else:
        import torch

        real, _ = trainer.data.sample(len(fake), torch.Generator(trainer.device).manual_seed(0))
        img = clouds_image(fake, real.cpu())
    atomic_write_bytes(path, png_bytes(img))


def loop_hooks(trainer: Trainer, out: Path, args: argparse.Namespace) -> LoopHooks:
    from ganlab.families.gan.state import save_trainer

    return adversarial_hooks(trainer, out, args, save_trainer)


def adversarial_hooks(trainer, out: Path, args: argparse.Namespace, save_run: Callable[[Any, Path], Path]) -> LoopHooks:
    """Fixed chunks of ``snapshot_every`` steps, D and G losses on the bar, ``save_run`` and
    samples.png at each checkpoint: every family with a G, a D and a fixed-noise grid."""

    def save() -> None:
        save_run(trainer, out)
        write_samples(trainer, out / "samples.png")

    cfg = trainer.cfg
    return LoopHooks(
        columns=HISTORY_COLUMNS,
        total=lambda: trainer.cfg.steps,
        save=save,
        chunk_size=lambda _last: trainer.cfg.snapshot_every,
        postfix=lambda s: {"d": f"{s.d_loss:.3f}", "g": f"{s.g_loss:.3f}"},
        checkpoint_every=args.checkpoint_every or max(cfg.snapshot_every, min(1000, cfg.steps // 5 or 1)),
    )


def _final_metrics(trainer: Trainer) -> dict:
    if trainer.data.modes is None:
        return {}
    from ganlab.inference.sample import generate
    from ganlab.metrics import mode_coverage

    g = trainer.inference_generator
    was_training = g.training
    points = generate(g.eval(), 2500, seed=12345, noise=trainer.cfg.noise)
    g.train(was_training)
    return mode_coverage(points, trainer.data.modes, trainer.data.sigma).as_dict()


def finish(trainer: Trainer, out: Path, args: argparse.Namespace, status: str) -> str:
    """The last checkpoint (with mode coverage for 2D sets) and samples; the closing line."""
    from ganlab.families.gan.state import save_trainer

    metrics = _final_metrics(trainer)
    save_trainer(trainer, out, metrics=metrics)
    write_samples(trainer, out / "samples.png")
    summary = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
    return (
        f"{status} at step {trainer.step_count} on {trainer.device} in {trainer.wall_time_s:.1f}s"
        f"{'; ' + summary if summary else ''}; wrote {out}"
    )
