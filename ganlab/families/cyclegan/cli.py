"""The CycleGAN family's part of ``python -m ganlab train`` (``unpaired:DIR_A,DIR_B``, ``summer2winter``).

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
from pathlib import Path

from ganlab.cli.loop import LoopHooks
from ganlab.cli.options import add_flag, layered_config
from ganlab.errors import GanLabError
from ganlab.families.cyclegan.presets import PRESETS, preset_for
from ganlab.families.cyclegan.trainer import HISTORY_COLUMNS, CycleGANTrainer

CONFIG_FLAGS = {  # flag dest -> CycleGANConfig field
    "ngf": int,
    "ndf": int,
    "n_blocks": int,
    "upsample": str,  # deconv (the release's) or resize (nearest 2x + conv: no checkerboard)
    "load_size": int,
    "max_images": int,
    "lambda_cycle": float,
    "lambda_identity": float,
    "pool_size": int,
    "lr": float,
    "decay_from": float,
}
SHARED_FIELDS = ("steps", "batch_size", "seed", "device", "precision", "image_size", "data_root")
RESERVE_S = 20.0  # kept back from --max-minutes for the final save and export
CHUNK_S, MAX_CHUNK = 5.0, 100  # steps per trainer.run: about this many seconds of work


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """CycleGAN-only flags (the shared ones, e.g. --steps, belong to ``ganlab train`` itself)."""
    group = parser.add_argument_group("CycleGAN (unpaired:DIR_A,DIR_B or summer2winter)")
    for dest, kind in CONFIG_FLAGS.items():
        add_flag(group, "--" + dest.replace("_", "-"), type=kind, default=None)
    add_flag(group, "--no-flip", action="store_true", default=None, help="no random horizontal flips")
    add_flag(
        group,
        "--channels-last",
        action="store_true",
        default=None,
        help="channels_last memory layout (meant for CUDA; works on every device)",
    )
    add_flag(
        group,
        "--cyclegan-preset",
        choices=sorted(PRESETS),
        default=None,
        help="model/crop sizes: gpu (default on CUDA), cpu (default elsewhere) or paper",
    )
    add_flag(
        group,
        "--export-dir",
        type=Path,
        default=None,
        help="also write each direction as an inference checkpoint here (e.g. pretrained)",
    )
    add_flag(group, "--export-names", default=None, help="NAME_AB,NAME_BA for the exports (default: A2B,B2A)")
    add_flag(group, "--eval-images", type=int, default=64, help="held-out images for the final cycle error")


def build_config(args: argparse.Namespace):
    """Preset for the device, then a --config file, then explicit flags; validated once."""
    from ganlab.engine.devices import resolve_device
    from ganlab.families.cyclegan.config import CycleGANConfig

    device = getattr(args, "device", None) or "auto"
    preset = getattr(args, "cyclegan_preset", None) or preset_for(resolve_device(device).type)
    preset_fields = dict(PRESETS[preset])
    if getattr(args, "no_flip", None):
        preset_fields["flip"] = False
    if getattr(args, "channels_last", None):
        preset_fields["channels_last"] = True
    if getattr(args, "g_lr", None) is not None and getattr(args, "lr", None) is None:
        preset_fields["lr"] = args.g_lr
    cfg = layered_config(CycleGANConfig, args, preset_fields, (*SHARED_FIELDS, *CONFIG_FLAGS))
    if cfg.load_size is not None and cfg.load_size < cfg.image_size:
        cfg.load_size = cfg.image_size
    return cfg.validate()


def start(args: argparse.Namespace) -> CycleGANTrainer:
    cfg = build_config(args)
    quiet = getattr(args, "quiet", False)
    if not quiet:
        print(f"loading {cfg.dataset} ...", file=sys.stderr)
    trainer = CycleGANTrainer(cfg)
    if not quiet:
        print(trainer.data.description, file=sys.stderr)
    return trainer


def resume(args: argparse.Namespace) -> CycleGANTrainer:
    from ganlab.families.cyclegan.state import restore_cyclegan

    trainer = restore_cyclegan(args.out, device=getattr(args, "device", None))
    if getattr(args, "steps", None):
        trainer.set_total_steps(args.steps)
    return trainer


def loop_hooks(trainer: CycleGANTrainer, out: Path, args: argparse.Namespace) -> LoopHooks:
    """Chunks of about CHUNK_S seconds; losses.csv, samples.png and the checkpoint rewritten as it goes."""
    from ganlab.families.cyclegan.state import save_cyclegan

    if trainer.device.type == "cuda":
        import torch

        torch.backends.cudnn.benchmark = True  # fixed crop size: let cuDNN pick the fastest kernels

    def save() -> None:
        save_cyclegan(trainer, out)
        write_triplets(trainer, out / "samples.png")

    def chunk_size(last) -> int:  # one step until a step has been timed
        return 1 if last is None else max(1, min(MAX_CHUNK, int(CHUNK_S / max(last.seconds, 1e-6))))

    every = getattr(args, "checkpoint_every", None) or max(10, min(2000, trainer.total_steps // 5 or 1))
    return LoopHooks(
        columns=HISTORY_COLUMNS,
        total=lambda: trainer.total_steps,
        save=save,
        chunk_size=chunk_size,
        postfix=lambda s: {
            "cycle": f"{s.cycle:.3f}",
            "identity": f"{s.identity:.3f}",
            "G": f"{s.g_ab:.2f}/{s.g_ba:.2f}",
            "D": f"{s.d_a:.2f}/{s.d_b:.2f}",
            "lr": f"{s.lr:.1e}",
        },
        replan=lambda *times: _replan(trainer, *times),
        reserve_s=RESERVE_S,
        save_every_s=120.0,
        checkpoint_every=every,
    )


def finish(trainer: CycleGANTrainer, out: Path, args: argparse.Namespace, status: str) -> str:
    """Held-out cycle error, the last checkpoint and samples, both exports; the closing line."""
    from ganlab.families.cyclegan.state import save_cyclegan

    metrics = held_out_cycle_error(trainer, getattr(args, "eval_images", 64))
    save_cyclegan(trainer, out, metrics=metrics)
    write_triplets(trainer, out / "samples.png")
    exported = export_both(trainer, args, metrics)
    summary = ", ".join(f"{k} {v:.4g}" for k, v in metrics.items() if isinstance(v, float))
    return (
        f"{status} at step {trainer.step_count}/{trainer.total_steps} on {trainer.device} in "
        f"{trainer.wall_time_s:.1f}s{'; ' + summary if summary else ''}; wrote {out}"
        + "".join(f"; exported {p}" for p in exported)
    )


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
    from ganlab.data.named import named_set

    if n <= 0 or named_set(trainer.cfg.dataset) is None:
        return {}
    import torch

    from ganlab.data.unpaired import load_unpaired
    from ganlab.inference.translate import translate_tensor

    try:
        test = load_unpaired(trainer.cfg.dataset, trainer.cfg.data_root, 256, 256, n, flip=False, split="test")
    except GanLabError:
        return {}
    result = {}
    for key, images, fwd, back in (
        ("cycle_l1_test_a", test.a, trainer.G_AB, trainer.G_BA),
        ("cycle_l1_test_b", test.b, trainer.G_BA, trainer.G_AB),
    ):
        errors = []
        for i in range(0, len(images), 8):
            x = images[i : i + 8].float().div(127.5).sub(1).to(trainer.device)
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
    card = {
        "recipe": " ".join(sys.argv),
        "dataset": trainer.data.summary(),
        "training": {
            "steps": trainer.step_count,
            "wall_time_s": round(trainer.wall_time_s, 1),
            "device": str(trainer.device),
        },
    }
    return [
        export_direction(trainer, Path(folder) / ab, "AtoB", inverse=ba, metrics=metrics, card=card),
        export_direction(trainer, Path(folder) / ba, "BtoA", inverse=ab, metrics=metrics, card=card),
    ]
