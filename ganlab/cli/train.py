"""``python -m ganlab train``: headless training that writes a run folder.

RUN_DIR/model.safetensors + model.json (the checkpoint), losses.csv (one row
per step) and samples.png (the fixed-noise grid, or real vs generated points).
The checkpoint is rewritten every ``--checkpoint-every`` steps, so a killed
run loses little; ``--resume RUN_DIR`` continues exactly where it stopped.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from ganlab.families.gan.config import OPTIMIZERS, TrainConfig
from ganlab.errors import GanLabError
from ganlab.families.gan.trainer import HISTORY_COLUMNS
from ganlab.cli.loop import LoopHooks, train_in_chunks


# CLI flag -> TrainConfig field, for flags that map one to one (None: not given).
FIELD_FLAGS = {
    "objective": str, "model": str, "width": int, "depth": int, "norm": str, "conditioning": str,
    "gp_weight": float, "r1_weight": float, "r1_every": int, "clip_value": float, "z_dim": int, "noise": str,
    "d_steps": int, "batch_size": int, "steps": int, "seed": int, "device": str,
    "snapshot_every": int, "ema": float, "precision": str, "image_size": int, "data_root": str,
    "lr_decay": str,
}


def register(sub) -> None:
    p = sub.add_parser("train", help="train a GAN headless and write a run folder",
                       description="Train a GAN. Unset options come from the data set's recommended preset.")
    p.add_argument("--dataset", required=True, help="ring8, grid25, digits, mnist, fashion, cifar10, "
                   "csv:PATH, folder:PATH, unpaired:DIR_A,DIR_B, summer2winter, ...")
    p.add_argument("--out", required=True, type=Path, help="run folder to write")
    for name, kind in FIELD_FLAGS.items():
        p.add_argument("--" + name.replace("_", "-"), type=kind, default=None)
    p.add_argument("--conditional", action="store_true", default=None, help="class-conditional G and D")
    p.add_argument("--spectral-norm", action="store_true", default=None, help="spectral norm on D")
    p.add_argument("--download", action="store_true", default=None, help="download torchvision sets if missing")
    for net in ("g", "d"):
        p.add_argument(f"--{net}-optim", choices=OPTIMIZERS, default=None)
        p.add_argument(f"--{net}-lr", type=float, default=None)
        p.add_argument(f"--{net}-betas", type=float, nargs=2, default=None, metavar=("B1", "B2"))
    p.add_argument("--config", type=Path, help="a TrainConfig JSON file (flags override it)")
    p.add_argument("--resume", action="store_true", help="continue the run already in --out")
    p.add_argument("--checkpoint-every", type=int, default=None, help="steps between checkpoint saves")
    p.add_argument("--max-minutes", type=float, default=None, help="stop (and save) after this long")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    try:  # CycleGAN training shares this command (see ganlab.cli.train_cyclegan)
        from ganlab.cli.train_cyclegan import add_cyclegan_arguments
        add_cyclegan_arguments(p)
    except ImportError:
        pass
    p.set_defaults(func=run)


def is_cyclegan_dataset(name: str) -> bool:
    return name.startswith("unpaired:") or name.lower() in ("summer2winter", "summer2winter_yosemite")


def build_config(args: argparse.Namespace) -> TrainConfig:
    """Preset for the data set, then a --config file, then explicit flags; validated once."""
    from ganlab.families.gan.presets import recommended

    fields = recommended(args.dataset)
    if args.config:
        if not args.config.is_file():
            raise GanLabError(f"--config: file not found: {args.config}")
        fields.update(vars(TrainConfig.from_json(args.config.read_text())))
        fields.pop("dataset", None)
    for name in list(FIELD_FLAGS) + ["conditional", "spectral_norm", "download"]:
        value = getattr(args, name)
        if value is not None:
            fields[name] = value
    cfg = TrainConfig(dataset=args.dataset, **fields)
    for net in ("g", "d"):
        opt = getattr(cfg, f"{net}_optim")
        if getattr(args, f"{net}_optim"):
            opt.name = getattr(args, f"{net}_optim")
        if getattr(args, f"{net}_lr") is not None:
            opt.lr = getattr(args, f"{net}_lr")
        if getattr(args, f"{net}_betas"):
            opt.beta1, opt.beta2 = getattr(args, f"{net}_betas")
    return cfg.validate()


def write_samples(trainer, path: Path) -> None:
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.inference.sample import image_grid, png_bytes, points_image

    fake = trainer.sample_fixed()
    if trainer.data.kind == "image":
        img = image_grid(fake, nrow=8, scale=max(1, 128 // fake.shape[-1]))
    else:
        import torch
        real, _ = trainer.data.sample(len(fake), torch.Generator(trainer.device).manual_seed(0))
        img = points_image(fake, real.cpu())
    atomic_write_bytes(path, png_bytes(img))


def _final_metrics(trainer) -> dict:
    if trainer.data.modes is None:
        return {}
    from ganlab.metrics import mode_coverage
    from ganlab.inference.sample import generate

    g = trainer.inference_generator
    was_training = g.training
    points = generate(g.eval(), 2500, seed=12345, noise=trainer.cfg.noise)
    g.train(was_training)
    return mode_coverage(points, trainer.data.modes, trainer.data.sigma).as_dict()


def _gan_hooks(trainer, out: Path) -> LoopHooks:
    """GAN runs: fixed chunks of ``snapshot_every`` steps, D and G losses on the bar."""
    from ganlab.families.gan.state import save_trainer

    def save() -> None:
        save_trainer(trainer, out)
        write_samples(trainer, out / "samples.png")

    return LoopHooks(columns=HISTORY_COLUMNS, total=lambda: trainer.cfg.steps, save=save,
                     chunk_size=lambda _last: trainer.cfg.snapshot_every,
                     postfix=lambda s: {"d": f"{s.d_loss:.3f}", "g": f"{s.g_loss:.3f}"})


def run(args: argparse.Namespace) -> int:
    if is_cyclegan_dataset(args.dataset):
        from ganlab.cli.train_cyclegan import run_cyclegan
        return run_cyclegan(args)
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.families.gan.state import restore_trainer, save_trainer
    from ganlab.families.gan.trainer import Trainer

    out: Path = args.out
    if args.resume:
        trainer = restore_trainer(out)
        if args.steps is not None:
            trainer.cfg = trainer.cfg.updated(steps=args.steps)
    else:
        cfg = build_config(args)
        if (out / "model.json").exists():
            raise GanLabError(f"--out: {out} already holds a run; use --resume to continue it or pick "
                              "another folder (nothing was overwritten)")
        trainer = Trainer(cfg)
    cfg = trainer.cfg
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "config.json", cfg.to_json().encode())
    every = args.checkpoint_every or max(cfg.snapshot_every, min(1000, cfg.steps // 5 or 1))
    deadline = time.monotonic() + args.max_minutes * 60 if args.max_minutes else None
    status = train_in_chunks(trainer, out, _gan_hooks(trainer, out), every, deadline, args.quiet)
    metrics = _final_metrics(trainer)
    save_trainer(trainer, out, metrics=metrics)
    write_samples(trainer, out / "samples.png")
    summary = ", ".join(f"{k} {v:.4g}" if isinstance(v, float) else f"{k} {v}" for k, v in metrics.items())
    print(f"{status} at step {trainer.step_count} on {trainer.device} in {trainer.wall_time_s:.1f}s"
          f"{'; ' + summary if summary else ''}; wrote {out}")
    return 3 if status == "diverged" else 0
