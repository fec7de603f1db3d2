"""Reproduce the shipped model zoo (``pretrained/``) from scratch with the project's own CLI.

    python scripts/train_zoo.py                   # every model, on the best device
    python scripts/train_zoo.py ring digits       # just these (the CPU-sized ones)
    python scripts/train_zoo.py mnist --device cuda --dry-run   # print the commands only

Each recipe is ``python -m ganlab train ... --seed S --out RUNS/NAME``, then
``python -m ganlab export RUNS/NAME --out pretrained/NAME`` (generator / EMA
weights only), then ``python -m ganlab eval pretrained/NAME --json`` whose
figures go into the model card's ``metrics``. Image sets are read from
``$GANLAB_DATA`` (MNIST, FashionMNIST train splits); nothing is downloaded.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from zoo_recipes import CARDS, PAIRS, RECIPES  # noqa: E402 (after the path set-up)


def commands(name: str, runs: Path, device: str, out_root: Path, max_minutes: float | None = None) -> list[list[str]]:
    """train, then export (a pair: copy the whole run), then eval."""
    flags, _ = RECIPES[name]
    if max_minutes:
        flags = [*flags, "--max-minutes", str(max_minutes)]
    py = [sys.executable, "-m", "ganlab"]
    run_dir, out = runs / name, out_root / name
    export = py + ["export", str(run_dir), "--out", str(out), "--name", name]
    if name in PAIRS:
        export = [sys.executable, str(Path(__file__).resolve()), "--copy-pair", str(run_dir), str(out)]
    return [
        py + ["train", *flags, "--device", device, "--out", str(run_dir), "--quiet"],
        export,
        py + ["eval", str(out), "--json", "--device", device],
    ]


PAIR_FILES = ("model.json", "model.safetensors", "samples.png")  # a pair ships whole, with its picture


def copy_pair(run_dir: Path, out: Path) -> None:
    """Ship a trained pair: the full resumable checkpoint, renamed, plus samples.png."""
    from ganlab.engine.checkpoints import META, atomic_write_bytes

    out.mkdir(parents=True, exist_ok=True)
    for file in PAIR_FILES:
        shutil.copyfile(run_dir / file, out / file)
    meta = json.loads((out / META).read_text())
    meta.update(name=out.name, trained_pair=True)
    atomic_write_bytes(out / META, json.dumps(meta, indent=2).encode())


def pair_card(meta: dict) -> str:
    """A pair's model card text: what it is, how it was trained, what it is for."""
    cfg = meta["config"]
    return (
        f"A trained 2D pair for {meta['dataset']['name']}: the full resumable checkpoint (G, D and both Adam "
        f"optimizers' moments) of the data set's preset run, MLPs of width {cfg['width']} and depth "
        f"{cfg['depth']}, z of size {cfg['z_dim']}, {cfg['objective']}, lr {cfg['g_optim']['lr']:g}, batch "
        f"{cfg['batch_size']}, {meta['step']:,} steps, seed {cfg['seed']}, in {meta['wall_time_s']:.0f} s of training on "
        f"the {meta['device']}. The Train tab's 'Start from the shipped trained pair' (API: "
        "/train from_pretrained=true) loads it into a live run at step 0, to show a converged GAN and "
        "then perturb it."
    )


def record_metrics(folder: Path, report: dict) -> None:
    """Put the eval figures (and the recipe) into the shipped model card."""
    from ganlab.engine.checkpoints import META, atomic_write_bytes

    meta = json.loads((folder / META).read_text())
    keep = {
        k: report[k]
        for k in (
            "mode_coverage",
            "generated",
            "real_vs_real",
            "classes",
            "classifier",
            "reference",
            "n",
            "seed",
            "task",
            "degradation",
            "restored",
            "baseline",
            "baseline_name",
            "classifier_accuracy",
        )
        if k in report
    }
    meta["metrics"] = {**(meta.get("metrics") or {}), "eval": keep}
    meta["recipe"] = "python scripts/train_zoo.py " + folder.name
    if folder.name in CARDS:
        meta["card"] = CARDS[folder.name]
    if folder.name in PAIRS:
        meta["card"] = pair_card(meta)
        meta["metrics"]["train"] = {"steps": meta["step"], "wall_time_s": meta["wall_time_s"], "device": meta["device"]}
    atomic_write_bytes(folder / META, json.dumps(meta, indent=2).encode())


def evaluate_and_record(cmd: list[str], folder: Path, env: dict) -> bool:
    """Run ``eval --json`` and store it in the model card; a failure (e.g. no data here) only warns."""
    result = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True)
    if result.returncode != 0:
        print(
            f"warning: eval of {folder.name} failed ({result.stderr.strip()}); run "
            f"'python scripts/train_zoo.py --eval-only {folder.name}' where the data is",
            flush=True,
        )
        return False
    report = json.loads(result.stdout)
    record_metrics(folder, report)
    from ganlab.metrics.report import format_report
    from ganlab.metrics.restore_report import format_restore_report

    print((format_restore_report if report.get("kind") == "restore" else format_report)(report), flush=True)
    return True


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("names", nargs="*", help=f"which models (default: all): {', '.join(RECIPES)}")
    p.add_argument("--device", default="auto")
    p.add_argument("--runs", type=Path, default=ROOT / "runs" / "zoo", help="where full training runs go")
    p.add_argument("--out", type=Path, default=ROOT / "pretrained", help="where exported models go")
    p.add_argument("--dry-run", action="store_true", help="print the commands, run nothing")
    p.add_argument("--max-minutes", type=float, default=None, help="wall-clock budget per training run")
    p.add_argument(
        "--fresh",
        action="store_true",
        help="delete an existing run folder first (otherwise an existing run is resumed / re-exported)",
    )
    p.add_argument("--eval-only", action="store_true", help="just score pretrained/NAME and update its card")
    p.add_argument("--copy-pair", nargs=2, type=Path, metavar=("RUN", "OUT"), help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.copy_pair:  # the export step of a trained pair (see commands)
        copy_pair(*args.copy_pair)
        return 0
    names = args.names or list(RECIPES)
    unknown = [n for n in names if n not in RECIPES]
    if unknown:
        p.error(f"unknown model {unknown[0]!r}; choose from {', '.join(RECIPES)}")
    env = dict(os.environ, PYTHONPATH=str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    ok = True
    for name in names:
        train, export, evaluate = commands(name, args.runs, args.device, args.out, args.max_minutes)
        run_dir = args.runs / name
        if args.dry_run:
            for cmd in (train, export, evaluate):
                print(shlex.join(cmd))
            continue
        if args.eval_only:
            ok &= evaluate_and_record(evaluate, args.out / name, env)
            continue
        if args.fresh and run_dir.exists():
            shutil.rmtree(run_dir)
        if (run_dir / "model.json").exists():  # continue (or just re-save) the run already there
            train = train[:4] + ["--dataset", RECIPES[name][0][1], "--out", str(run_dir), "--resume", "--quiet"]
            if args.max_minutes:
                train += ["--max-minutes", str(args.max_minutes)]
        print(f"== {name}: {shlex.join(train[2:])}", flush=True)
        subprocess.run(train, check=True, env=env, cwd=ROOT)
        if (args.out / name).exists():
            shutil.rmtree(args.out / name)
        subprocess.run(export, check=True, env=env, cwd=ROOT)
        ok &= evaluate_and_record(evaluate, args.out / name, env)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
