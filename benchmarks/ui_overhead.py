"""Training throughput inside the app vs headless training, same config, same machine, one run.

Goal: the app trains at >= 90 % of headless steps/s. Rounds alternate
(headless, app, headless, app, ...) so a change in machine load hits both sides,
and the result is the median of the per-round ratios.

* headless : a subprocess runs the CLI's training loop (``Trainer.run(snapshot_every)`` over
             and over, no UI); steps/s = steps / wall-clock seconds over the window, after
             the same warm-up as the app. ``--cli`` adds the real ``python -m ganlab train
             --max-minutes`` figure (steps / the trainer's own training time, as it prints).
* app      : ``python app.py`` in a subprocess, Train pressed through gradio_client with the
             same settings; meanwhile a viewer refreshes like a browser tab does (the Timer's
             ``refresh`` endpoint, 2x a second, which renders the grid and three plots);
             steps/s = steps advanced / wall-clock seconds over the window. The gradio_client
             side runs in its own process at ``nice 10``: it stands in for a browser, which runs
             on the student's machine, not on the server's two cores.

Both processes get the same torch thread count (``--threads``, via OMP_NUM_THREADS; default
1, because on a shared 2-core machine two OpenMP threads per process mostly measure how often
the other processes preempt them).

    python benchmarks/ui_overhead.py [--dataset digits] [--seconds 20] [--rounds 3] [--device cpu] [--cli]
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app_server import serve_app  # noqa: E402

from ganlab.families.gan.presets import recommended_config  # noqa: E402
from ganlab.ui.controls import form_values  # noqa: E402


def headless_rate(dataset: str, device: str, seconds: float) -> float:
    """The CLI's loop in a fresh process, timed like the app: steps over a wall-clock window."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    cmd = [sys.executable, __file__, "--worker", "--dataset", dataset, "--device", device, "--seconds", str(seconds)]
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    found = re.search(r"RATE ([0-9.]+)", result.stdout)
    if not found:
        raise RuntimeError(f"headless worker failed:\n{result.stdout}\n{result.stderr}")
    return float(found.group(1))


def _worker(dataset: str, device: str, seconds: float) -> None:
    from ganlab.families.gan.trainer import Trainer

    trainer = Trainer(recommended_config(dataset).updated(device=device, steps=10_000_000))
    chunk = trainer.cfg.snapshot_every
    while trainer.step_count < 20:
        trainer.run(1)
    first, start = trainer.step_count, time.perf_counter()
    while time.perf_counter() - start < seconds:
        trainer.run(chunk)
    print(f"RATE {(trainer.step_count - first) / (time.perf_counter() - start):.4f}")


def cli_rate(dataset: str, device: str, seconds: float, workdir: Path) -> float:
    out = workdir / f"cli-{time.monotonic_ns()}"
    cmd = [
        sys.executable,
        "-m",
        "ganlab",
        "train",
        "--dataset",
        dataset,
        "--device",
        device,
        "--steps",
        "10000000",
        "--max-minutes",
        str(seconds / 60),
        "--out",
        str(out),
        "--quiet",
    ]
    env = dict(os.environ, PYTHONPATH=str(ROOT))  # OMP_NUM_THREADS is set in main()
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=workdir, check=False)
    found = re.search(r"at step (\d+) on \S+ in ([0-9.]+)s", result.stdout)
    if not found:
        raise RuntimeError(f"could not read the CLI's result:\n{result.stdout}\n{result.stderr}")
    return int(found.group(1)) / float(found.group(2))


def app_rate(url: str, dataset: str, device: str, seconds: float) -> float:
    """Drive the app from a low-priority child process (the stand-in for a remote browser)."""
    cmd = [
        sys.executable,
        __file__,
        "--viewer",
        url,
        "--dataset",
        dataset,
        "--device",
        device,
        "--seconds",
        str(seconds),
    ]
    result = subprocess.run(
        cmd, capture_output=True, text=True, env=dict(os.environ, PYTHONPATH=str(ROOT)), check=False
    )
    found = re.search(r"RATE ([0-9.]+)", result.stdout)
    if not found:
        raise RuntimeError(f"viewer failed:\n{result.stdout}\n{result.stderr}")
    return float(found.group(1))


def _viewer(url: str, dataset: str, device: str, seconds: float) -> None:
    os.nice(10)
    print(f"RATE {_drive_app(url, dataset, device, seconds):.4f}")


def _drive_app(url: str, dataset: str, device: str, seconds: float) -> float:
    from gradio_client import Client

    values = form_values(recommended_config(dataset).updated(steps=10_000_000))
    trainer, viewer = Client(url, verbose=False), None
    try:
        trainer.predict(dataset=dataset, device=device, **values, api_name="/train")
        viewer = trainer  # the same session: the refreshes read this job, as its browser tab would
        while trainer.predict(api_name="/status")["step"] < 20:  # past set-up and the first chunks
            time.sleep(0.1)
        first = trainer.predict(api_name="/status")
        start = time.perf_counter()
        while time.perf_counter() - start < seconds:
            tick = time.perf_counter()
            viewer.predict(list(("surface", "real", "fake", "arrows")), api_name="/refresh")
            time.sleep(max(0.0, 0.5 - (time.perf_counter() - tick)))
        last = trainer.predict(api_name="/status")
        elapsed = time.perf_counter() - start
        trainer.predict(api_name="/stop")
        return (last["step"] - first["step"]) / elapsed
    finally:
        trainer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="digits")
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--seconds", type=float, default=20.0, help="measuring window per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--threads", type=int, default=1, help="torch threads in both processes")
    parser.add_argument("--cli", action="store_true", help="also time `python -m ganlab train` itself")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--viewer", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return _worker(args.dataset, args.device, args.seconds)
    if args.viewer:
        return _viewer(args.viewer, args.dataset, args.device, args.seconds)
    os.environ["OMP_NUM_THREADS"] = os.environ["MKL_NUM_THREADS"] = str(args.threads)
    ref, app, cli = [], [], []
    with tempfile.TemporaryDirectory() as tmp, serve_app(Path(tmp), GANLAB_MAX_STEPS="10000000") as url:
        for r in range(args.rounds):
            ref.append(headless_rate(args.dataset, args.device, args.seconds))
            app.append(app_rate(url, args.dataset, args.device, args.seconds))
            line = (
                f"round {r + 1}: headless {ref[-1]:7.1f} steps/s   app {app[-1]:7.1f} steps/s   "
                f"ratio {app[-1] / ref[-1]:6.1%}"
            )
            if args.cli:
                cli.append(cli_rate(args.dataset, args.device, args.seconds, Path(tmp)))
                line += f"   (CLI itself: {cli[-1]:.1f} steps/s)"
            print(line, flush=True)
    h, a = statistics.median(ref), statistics.median(app)
    paired = statistics.median(x / y for x, y in zip(app, ref))
    print(
        f"median: headless {h:.1f} steps/s, app {a:.1f} steps/s; median of the paired ratios "
        f"app/headless = {paired:.1%}  (goal >= 90 %)"
    )
    if cli:
        print(f"CLI (python -m ganlab train) median {statistics.median(cli):.1f} steps/s")
    print(
        f"config: recommended {args.dataset} on {args.device}, {args.threads} torch thread(s); machine: {platform.machine()}, "
        f"{os.cpu_count()} CPUs, load average {', '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


if __name__ == "__main__":
    main()
