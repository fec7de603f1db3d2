"""The restoration family's part of ``python -m ganlab train``:
``--dataset DATA --model {pix2pix,srgan,srresnet} --task {sr4,denoise,inpaint} --out RUN``.

The run folder gets the checkpoint (resumable, and what ``restore`` reads),
``losses.csv`` and ``samples.png`` (input / output / target on the held-out
batch); the closing line gives held-out PSNR/SSIM beside the trivial baseline.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ganlab.cli.loop import LoopHooks
from ganlab.cli.options import add_flag, layered_config
from ganlab.families.restore.degrade import TASKS
from ganlab.families.restore.presets import PRESETS, preset_for
from ganlab.families.restore.trainer import HISTORY_COLUMNS, RestoreTrainer

CONFIG_FLAGS = {  # flag dest -> RestoreConfig field type (flags shared with other families mean the same)
    "task": str,
    "ngf": int,
    "ndf": int,
    "depth": int,
    "n_blocks": int,
    "load_size": int,
    "max_images": int,
    "holdout": int,
    "init_from": str,
    "l1_weight": float,
    "adv_weight": float,
    "content_weight": float,
    "sigma_min": float,
    "sigma_max": float,
    "lr": float,
    "lr_decay": str,
    "pixel_loss": str,
    "beta1": float,
}
SHARED_FIELDS = ("model", "steps", "batch_size", "seed", "device", "image_size", "data_root")
CHUNK = 25  # steps per trainer.run


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Restoration-only flags (the shared ones, e.g. --steps, belong to ``ganlab train`` itself)."""
    group = parser.add_argument_group("restoration (--model pix2pix|srresnet|srgan)")
    add_flag(
        group,
        "--task",
        choices=sorted(TASKS),
        default=None,
        help="sr4 (srresnet/srgan), denoise or inpaint (pix2pix); default: sr4 for SR models, else denoise",
    )
    for dest, kind in CONFIG_FLAGS.items():
        if dest != "task":
            add_flag(group, "--" + dest.replace("_", "-"), type=kind, default=None)


def build_config(args: argparse.Namespace):
    """The data set's preset, then a --config file, then explicit flags; validated once."""
    from ganlab.families.restore.config import RestoreConfig

    preset = dict(PRESETS.get(preset_for(args.dataset) or "", {}))
    if getattr(args, "task", None) is None and getattr(args, "model", None) in ("srresnet", "srgan"):
        preset["task"] = "sr4"
    if getattr(args, "g_lr", None) is not None and getattr(args, "lr", None) is None:
        preset["lr"] = args.g_lr
    return layered_config(RestoreConfig, args, preset, (*SHARED_FIELDS, *CONFIG_FLAGS)).validate()


def start(args: argparse.Namespace) -> RestoreTrainer:
    cfg = build_config(args)
    if not getattr(args, "quiet", False):
        print(f"loading {cfg.dataset} ...", file=sys.stderr)
    trainer = RestoreTrainer(cfg)
    if not getattr(args, "quiet", False):
        print(
            f"{trainer.data.description}; {cfg.model} for {cfg.task}"
            + (f"; content loss on {trainer.content_description}" if trainer.content is not None else ""),
            file=sys.stderr,
        )
    return trainer


def resume(args: argparse.Namespace) -> RestoreTrainer:
    from ganlab.families.restore.state import restore_restore

    trainer = restore_restore(args.out, device=getattr(args, "device", None))
    changes = {k: getattr(args, k, None) for k in ("steps", "lr_decay")}
    changes = {k: v for k, v in changes.items() if v}
    if changes:
        trainer.cfg = trainer.cfg.updated(**changes).validate()
    return trainer


def loop_hooks(trainer: RestoreTrainer, out: Path, args: argparse.Namespace) -> LoopHooks:
    from ganlab.families.restore.state import save_restore

    def save() -> None:
        save_restore(trainer, out)
        write_samples(trainer, out / "samples.png")

    every = getattr(args, "checkpoint_every", None) or max(10, min(2000, trainer.cfg.steps // 5 or 1))
    return LoopHooks(
        columns=HISTORY_COLUMNS,
        total=lambda: trainer.cfg.steps,
        save=save,
        chunk_size=lambda _last: CHUNK,
        checkpoint_every=every,
        save_every_s=120.0,
        postfix=lambda s: {
            "l1": f"{s.l1:.3f}",
            "content": f"{s.content:.3f}",
            "G": f"{s.g_adv:.3f}",
            "D": f"{s.d:.3f}",
        },
    )


def finish(trainer: RestoreTrainer, out: Path, args: argparse.Namespace, status: str) -> str:
    """Held-out scores, the last checkpoint and samples; the closing line."""
    from ganlab.families.restore.state import save_restore

    metrics = trainer.validate()
    save_restore(trainer, out, metrics=metrics)
    write_samples(trainer, out / "samples.png")
    return (
        f"{status} at step {trainer.step_count}/{trainer.cfg.steps} on {trainer.device} in "
        f"{trainer.wall_time_s:.1f}s; held-out PSNR {metrics['val_psnr']:.2f} dB / SSIM "
        f"{metrics['val_ssim']:.3f} (baseline {metrics['baseline_psnr']:.2f} dB / "
        f"{metrics['baseline_ssim']:.3f}); wrote {out}"
    )


def write_samples(trainer: RestoreTrainer, path: Path) -> None:
    import io

    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.families.restore.job import HEADERS, triplet_rows

    buffer = io.BytesIO()
    triplet_rows(trainer.sample_triplets(), HEADERS[trainer.cfg.task]).save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())
