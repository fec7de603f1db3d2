"""Start-up cost: how long until the app serves its page and a CLI command answers, against
the floor every run pays (importing torch and gradio, which this project cannot shrink).

* floor : ``python -c "import torch, gradio"`` in a fresh process.
* cli   : ``python -m ganlab --help`` (what a script pays before its command starts).
* app   : ``python app.py`` until ``GET /`` answers 200 (tests/app_server.py's serve_app).

Each figure is the median of ``--rounds`` fresh processes; ratios are against the floor of
the same run, so a slower machine moves both sides.

    python benchmarks/startup.py [--rounds 3]
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from app_server import serve_app  # noqa: E402


def seconds_to_run(*args: str) -> float:
    started = time.monotonic()
    subprocess.run([sys.executable, *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
    return time.monotonic() - started


def seconds_to_serve() -> float:
    with tempfile.TemporaryDirectory() as folder, serve_app(Path(folder)):
        return serve_app.last_start_s


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    measures = {
        "floor (import torch, gradio)": lambda: seconds_to_run("-c", "import torch, gradio"),
        "cli (python -m ganlab --help)": lambda: seconds_to_run("-m", "ganlab", "--help"),
        "app (python app.py until GET / answers)": seconds_to_serve,
    }
    results = {name: [] for name in measures}
    for _ in range(args.rounds):  # interleaved: a change in machine load hits every figure
        for name, measure in measures.items():
            results[name].append(measure())
    floor = statistics.median(results["floor (import torch, gradio)"])
    print(f"{platform.machine()}, {os.cpu_count()} CPUs, {args.rounds} rounds, median seconds:")
    for name, values in results.items():
        median = statistics.median(values)
        print(
            f"  {name:42s} {median:6.1f} s   {median / floor:4.2f} x floor   (all: {', '.join(f'{v:.1f}' for v in values)})"
        )


if __name__ == "__main__":
    main()
