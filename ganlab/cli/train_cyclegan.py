"""CycleGAN training from the command line: ``python -m ganlab train --dataset unpaired:A,B --out RUN``.

``ganlab.cli.train`` dispatches here for ``unpaired:`` data sets and
``summer2winter``; ``python -m ganlab.cli.train_cyclegan`` runs it alone.
The run folder gets the checkpoint (all four networks, resumable),
``losses.csv`` and ``samples.png`` (A->B->A / B->A->B triplets), rewritten
as the run goes. ``--max-minutes`` turns the step count into a time
budget: the length is re-planned from the measured speed while the rate is
constant, so the linear decay still reaches zero inside the budget, and the
run always ends with a checkpoint and (``--export-dir``) both directions
exported as inference checkpoints.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from ganlab.errors import GanLabError
from ganlab.families.cyclegan.trainer import HISTORY_COLUMNS
from ganlab.cli.loop import LoopHooks, train_in_chunks

# Sizes by where the run happens; every field can still be set by a flag.
PRESETS: dict[str, dict] = {
    "paper": {},  # Zhu et al.: ngf 64, 9 blocks, 286 -> 256 crops, batch 1
    "gpu": dict(ngf=32, n_blocks=9, image_size=128, load_size=256, batch_size=16, steps=20_000),
    "cpu": dict(ngf=16, ndf=32, n_blocks=6, image_size=64, load_size=72, batch_size=1, steps=1500,
                max_images=300),
}
CONFIG_FLAGS = {  # flag dest -> CycleGANConfig field
    "ngf": int, "ndf": int, "n_blocks": int, "load_size": int, "max_images": int, "lambda_cycle": float,
    "lambda_identity": float, "pool_size": int, "lr": float, "decay_from": float,
}
SHARED_FLAGS = {"steps": "steps", "batch_size": "batch_size", "seed": "seed", "device": "device",
                "precision": "precision", "image_size": "image_size", "data_root": "data_root"}
RESERVE_S = 20.0  # kept back from --max-minutes for the final save and export
CHUNK_S, MAX_CHUNK = 5.0, 100  # steps per trainer.run: about this many seconds of work


def _add(parser: argparse.ArgumentParser, flag: str, **kwargs) -> None:
    """Add a flag unless the host parser (``ganlab train``) already has it."""
    if flag not in parser._option_string_actions:  # noqa: SLF001 - argparse has no public query
        parser.add_argument(flag, **kwargs)


def add_cyclegan_arguments(parser: argparse.ArgumentParser) -> None:
    """CycleGAN-only flags (the shared ones, e.g. --steps, come from ``ganlab train``)."""
    group = parser.add_argument_group("CycleGAN (unpaired:DIR_A,DIR_B or summer2winter)")
    for dest, kind in CONFIG_FLAGS.items():
        _add(group, "--" + dest.replace("_", "-"), type=kind, default=None)
    _add(group, "--no-flip", action="store_true", default=None, help="no random horizontal flips")
    _add(group, "--channels-last", action="store_true", default=None, help="channels_last layout on CUDA")
    _add(group, "--cyclegan-preset", choices=sorted(PRESETS), default=None,
         help="model/crop sizes: gpu (default on CUDA), cpu (default elsewhere) or paper")
    _add(group, "--export-dir", type=Path, default=None,
         help="also write each direction as an inference checkpoint here (e.g. pretrained)")
    _add(group, "--export-names", default=None, help="NAME_AB,NAME_BA for the exports (default: A2B,B2A)")
    _add(group, "--eval-images", type=int, default=64, help="held-out images for the final cycle error")


def add_common_arguments(parser: argparse.ArgumentParser) -> None:
    """The flags ``ganlab train`` provides, for running this module on its own."""
    _add(parser, "--dataset", required=True)
    _add(parser, "--out", type=Path, required=True)
    for dest in SHARED_FLAGS:
        kind = int if dest in ("steps", "batch_size", "seed", "image_size") else str
        _add(parser, "--" + dest.replace("_", "-"), type=kind, default=None)
    _add(parser, "--resume", action="store_true")
    _add(parser, "--checkpoint-every", type=int, default=None)
    _add(parser, "--max-minutes", type=float, default=None)
    _add(parser, "--quiet", action="store_true")


def build_cyclegan_config(args: argparse.Namespace):
    """Preset for the device, then explicit flags; validated once."""
    from ganlab.engine.devices import resolve_device
    from ganlab.families.cyclegan.config import CycleGANConfig

    device = getattr(args, "device", None) or "auto"
    preset = getattr(args, "cyclegan_preset", None) or ("gpu" if resolve_device(device).type == "cuda" else "cpu")
    fields = dict(PRESETS[preset])
    for dest, name in SHARED_FLAGS.items():
        if getattr(args, dest, None) is not None:
            fields[name] = getattr(args, dest)
    for dest in CONFIG_FLAGS:
        if getattr(args, dest, None) is not None:
            fields[dest] = getattr(args, dest)
    if getattr(args, "no_flip", None):
        fields["flip"] = False
    if getattr(args, "channels_last", None):
        fields["channels_last"] = True
    if getattr(args, "g_lr", None) is not None and "lr" not in fields:
        fields["lr"] = args.g_lr
    cfg = CycleGANConfig(dataset=args.dataset, **fields)
    if cfg.load_size is not None and cfg.load_size < cfg.image_size:
        cfg.load_size = cfg.image_size
    return cfg.validate()


def run_cyclegan(args: argparse.Namespace) -> int:
    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.families.cyclegan.state import restore_cyclegan, save_cyclegan
    from ganlab.families.cyclegan.trainer import CycleGANTrainer

    started = time.monotonic()  # --max-minutes counts loading and the final export too
    out: Path = args.out
    if getattr(args, "resume", False):
        trainer = restore_cyclegan(out, device=getattr(args, "device", None))
        if getattr(args, "steps", None):
            trainer.set_total_steps(args.steps)
    else:
        if (out / "model.json").exists():
            raise GanLabError(f"--out: {out} already holds a run; use --resume to continue it or pick "
                              "another folder (nothing was overwritten)")
        cfg = build_cyclegan_config(args)
        quiet = getattr(args, "quiet", False)
        if not quiet:
            print(f"loading {cfg.dataset} ...", file=sys.stderr)
        trainer = CycleGANTrainer(cfg)
        if not quiet:
            print(trainer.data.description, file=sys.stderr)
    if trainer.device.type == "cuda":
        import torch
        torch.backends.cudnn.benchmark = True  # fixed crop size: let cuDNN pick the fastest kernels
    out.mkdir(parents=True, exist_ok=True)
    atomic_write_bytes(out / "config.json", trainer.cfg.to_json().encode())
    max_minutes = getattr(args, "max_minutes", None)
    deadline = started + max_minutes * 60 if max_minutes else None
    status = train_loop(trainer, out, getattr(args, "checkpoint_every", None), deadline,
                        getattr(args, "quiet", False))
    metrics = held_out_cycle_error(trainer, getattr(args, "eval_images", 64))
    save_cyclegan(trainer, out, metrics=metrics)
    write_triplets(trainer, out / "samples.png")
    exported = export_both(trainer, args, metrics)
    summary = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items() if isinstance(v, float))
    print(f"{status} at step {trainer.step_count}/{trainer.total_steps} on {trainer.device} in "
          f"{trainer.wall_time_s:.1f}s{'; ' + summary if summary else ''}; wrote {out}"
          + "".join(f"; exported {p}" for p in exported))
    return 3 if status == "diverged" else 0


def train_loop(trainer, out: Path, checkpoint_every: int | None, deadline: float | None, quiet: bool) -> str:
    """Chunks of about CHUNK_S seconds; losses.csv, samples.png and the checkpoint rewritten as it goes."""
    from ganlab.families.cyclegan.state import save_cyclegan

    def save() -> None:
        save_cyclegan(trainer, out)
        write_triplets(trainer, out / "samples.png")

    def chunk_size(last) -> int:  # one step until a step has been timed
        return 1 if last is None else max(1, min(MAX_CHUNK, int(CHUNK_S / max(last.seconds, 1e-6))))

    hooks = LoopHooks(
        columns=HISTORY_COLUMNS, total=lambda: trainer.total_steps, save=save, chunk_size=chunk_size,
        postfix=lambda s: {"cycle": f"{s.cycle:.3f}", "identity": f"{s.identity:.3f}",
                           "G": f"{s.g_ab:.2f}/{s.g_ba:.2f}", "D": f"{s.d_a:.2f}/{s.d_b:.2f}",
                           "lr": f"{s.lr:.1e}"},
        replan=lambda *times: _replan(trainer, *times), reserve_s=RESERVE_S, save_every_s=120.0)
    every = checkpoint_every or max(10, min(2000, trainer.total_steps // 5 or 1))
    return train_in_chunks(trainer, out, hooks, every, deadline, quiet)


def _replan(trainer, start_step: int, start_t: float, now: float, deadline: float) -> None:
    """While the rate is still constant, fit the run's length to the time left at the measured speed."""
    done = trainer.step_count - start_step
    if done < 20 or trainer.lr_at(trainer.step_count) < trainer.cfg.lr:
        return
    rate = done / max(now - start_t, 1e-6)
    planned = trainer.step_count + int(rate * max(deadline - RESERVE_S - now, 0) * 0.97)
    trainer.set_total_steps(min(trainer.cfg.steps, planned))


def write_triplets(trainer, path: Path) -> None:
    import io

    from ganlab.engine.checkpoints import atomic_write_bytes
    from ganlab.render.triplets import triplet_grid

    buffer = io.BytesIO()
    triplet_grid(trainer.sample_triplets(), rows=4, domains=trainer.domains).save(buffer, format="PNG")
    atomic_write_bytes(path, buffer.getvalue())


def held_out_cycle_error(trainer, n: int) -> dict:
    """Mean |x - G_BA(G_AB(x))| on held-out test photos (summer2winter's testA/testB), in [0, 2]."""
    if n <= 0 or trainer.cfg.dataset.strip().lower() not in ("summer2winter", "summer2winter_yosemite"):
        return {}
    import torch

    from ganlab.data.unpaired import load_unpaired
    from ganlab.inference.translate import translate_tensor

    try:
        test = load_unpaired(trainer.cfg.dataset, trainer.cfg.data_root, 256, 256, n, flip=False, split="test")
    except GanLabError:
        return {}
    result = {}
    for key, images, fwd, back in (("cycle_l1_test_a", test.a, trainer.G_AB, trainer.G_BA),
                                   ("cycle_l1_test_b", test.b, trainer.G_BA, trainer.G_AB)):
        errors = []
        for i in range(0, len(images), 8):
            x = images[i:i + 8].float().div(127.5).sub(1).to(trainer.device)
            rec = translate_tensor(back.eval(), translate_tensor(fwd.eval(), x))
            errors.append((rec - x).abs().mean(dim=(1, 2, 3)).cpu())
        result[key] = float(torch.cat(errors).mean())
    result["test_images"] = int(len(test.a) + len(test.b))
    return result


def export_both(trainer, args: argparse.Namespace, metrics: dict) -> list[Path]:
    """Both directions as inference checkpoints that name each other as inverse."""
    from ganlab.families.cyclegan.state import export_direction

    folder = getattr(args, "export_dir", None)
    if not folder:
        return []
    a, b = trainer.domains
    names = (getattr(args, "export_names", None) or f"{a}2{b},{b}2{a}").split(",")
    if len(names) != 2 or not all(n.strip() for n in names):
        raise GanLabError("--export-names: give two names separated by a comma, e.g. summer2winter,winter2summer")
    ab, ba = (n.strip() for n in names)
    card = {"recipe": " ".join(sys.argv), "dataset": trainer.data.summary(),
            "training": {"steps": trainer.step_count, "wall_time_s": round(trainer.wall_time_s, 1),
                         "device": str(trainer.device)}}
    return [export_direction(trainer, Path(folder) / ab, "AtoB", inverse=ba, metrics=metrics, card=card),
            export_direction(trainer, Path(folder) / ba, "BtoA", inverse=ab, metrics=metrics, card=card)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m ganlab.cli.train_cyclegan",
                                     description="Train a CycleGAN on two unpaired image folders.")
    add_common_arguments(parser)
    add_cyclegan_arguments(parser)
    args = parser.parse_args(argv)
    try:
        return run_cyclegan(args)
    except (GanLabError, ValueError, FileNotFoundError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
