"""``python -m ganlab train``: one command for every model family.

The family follows from ``--family``, from a ``--model`` only one family has,
or from the data set (``unpaired:A,B`` and ``summer2winter`` are CycleGAN
runs; everything else is a GAN run); ``--resume`` reads it from the run
folder. The family's ``cli`` module adds its flags, builds its trainer and
says what its run folder holds; this module owns the rest: the shared flags,
refusing to overwrite a run, ``config.json``, the chunked loop with its
checkpoints and ``--max-minutes`` deadline, and the exit status.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ganlab.cli.loop import train_in_chunks
from ganlab.cli.options import add_flag
from ganlab.errors import GanLabError

SHARED_FLAGS = {  # flag dest -> type, for the settings every family reads
    "model": str,
    "steps": int,
    "batch_size": int,
    "seed": int,
    "device": str,
    "precision": str,
    "image_size": int,
    "data_root": str,
}


def register(sub) -> None:
    from ganlab.families import FAMILIES

    p = sub.add_parser(
        "train",
        help="train a model headless and write a run folder",
        description="Train a model of any family. Unset options come from the data set's "
        "(or the device's) recommended preset.",
    )
    p.add_argument(
        "--dataset",
        required=True,
        help="ring8, grid25, digits, mnist, fashion, cifar10, "
        "csv:PATH, folder:PATH, unpaired:DIR_A,DIR_B, summer2winter, ...",
    )
    p.add_argument("--out", required=True, type=Path, help="run folder to write")
    p.add_argument(
        "--family", choices=sorted(FAMILIES), default=None, help="model family (default: from --model or the data set)"
    )
    for name, kind in SHARED_FLAGS.items():
        add_flag(p, "--" + name.replace("_", "-"), type=kind, default=None)
    p.add_argument("--config", type=Path, help="a config JSON file of the family (flags override it)")
    p.add_argument("--resume", action="store_true", help="continue the run already in --out")
    p.add_argument("--checkpoint-every", type=int, default=None, help="steps between checkpoint saves")
    p.add_argument("--max-minutes", type=float, default=None, help="stop (and save) after this long")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    for family in FAMILIES.values():
        family.cli_module().add_arguments(p)
    p.set_defaults(func=run)


def _family(args: argparse.Namespace):
    from ganlab.engine.checkpoints import META, read_meta
    from ganlab.families import family_for, family_of_run

    if args.resume:
        return (
            family_of_run(read_meta(args.out))
            if (args.out / META).is_file()
            else family_for(args.family, args.model, args.dataset)
        )
    return family_for(args.family, args.model, args.dataset)


def run(args: argparse.Namespace) -> int:
    """Train, save and print the closing line; under torchrun every rank runs this (see
    :mod:`ganlab.engine.distributed`) and rank 0 alone writes."""
    from ganlab.engine import distributed

    world = distributed.from_env()
    if world is None:
        return _train(args, None)
    family = _family(args)
    if not family.distributed:
        raise GanLabError(
            f"torchrun: the {family.name} family does not train across processes yet; "
            "run the same command without torchrun (one process)"
        )
    args.device = distributed.rank_device(world, args.device)
    distributed.start(world)
    try:
        return _train(args, world)
    finally:
        distributed.finish()


def _warn_about_precision(trainer, main: bool) -> None:
    """Say so on stderr when the precision asked for slows this device down (any family)."""
    from ganlab.engine.devices import emulated_bf16_note

    precision = getattr(trainer.cfg, "precision", "auto")
    note = emulated_bf16_note(precision, trainer.device) if main else None
    if note:
        print(note, file=sys.stderr, flush=True)


def _train(args: argparse.Namespace, world) -> int:
    from ganlab.engine.checkpoints import atomic_write_bytes

    started = time.monotonic()  # --max-minutes counts loading and the final save too
    out: Path = args.out
    cli = _family(args).cli_module()
    main = world is None or world.is_main
    if args.resume:
        trainer = cli.resume(args)
    else:
        if (out / "model.json").exists():
            raise GanLabError(
                f"--out: {out} already holds a run; use --resume to continue it or pick "
                "another folder (nothing was overwritten)"
            )
        trainer = cli.start(args)
    _warn_about_precision(trainer, main)
    if world is not None:
        from ganlab.engine.distributed import check_batch

        check_batch(trainer.cfg.batch_size, world)
        trainer.distribute(world)
    if main:
        out.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(out / "config.json", trainer.cfg.to_json().encode())
    deadline = started + args.max_minutes * 60 if args.max_minutes else None
    status = train_in_chunks(trainer, out, cli.loop_hooks(trainer, out, args), deadline, args.quiet)
    if main:
        print(cli.finish(trainer, out, args, status))
    return 3 if status == "diverged" else 0
