"""Start-up cost: how long until the app serves its page and a CLI command answers, against
the floor every run pays (importing torch and gradio, which this project cannot shrink).

* floor : ``python -c "import torch, gradio"`` in a fresh process.
* cli   : ``python -m ganlab --help`` (what a script pays before its command starts).
* app   : ``python app.py`` until ``GET /`` answers 200 (tests/app_server.py's serve_app).
* first Restore : ``--restore`` only. The first "Degrade, then restore" (``/restore_demo``, x4 on the
  house example with ``photo-sr4-psnr``: bicubic, the model, PSNR/SSIM) asked ``--settle`` seconds after
  the page is served, as a user's first click would be, against the second, the same request warm.

Each figure is the median of ``--rounds`` fresh processes; ratios are against the floor of
the same run, so a slower machine moves both sides.

    python benchmarks/startup.py [--rounds 3] [--restore] [--settle 20]
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


def seconds_for_first_and_second_restore(settle_s: float) -> tuple[float, float]:
    from gradio_client import Client, handle_file

    house = str(ROOT / "ganlab" / "ui" / "examples" / "house.png")
    with tempfile.TemporaryDirectory() as folder, serve_app(Path(folder)) as url:
        time.sleep(settle_s)
        client = Client(url, verbose=False)
        timings = []
        for _ in range(2):
            started = time.monotonic()
            client.predict(handle_file(house), "photo-sr4-psnr", None, 0, api_name="/restore_demo")
            timings.append(time.monotonic() - started)
        client.close()
    return timings[0], timings[1]


def report_restore(rounds: int, settle_s: float) -> None:
    pairs = [seconds_for_first_and_second_restore(settle_s) for _ in range(rounds)]
    first, second = (statistics.median(p[i] for p in pairs) for i in (0, 1))
    print(
        f"  first Restore, {settle_s:g} s after the page  {first:6.2f} s   second {second:.2f} s   ({first / second:.1f} x)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--restore", action="store_true", help="only the first Restore request's time")
    parser.add_argument("--settle", type=float, default=20.0, help="seconds between the page and that request")
    args = parser.parse_args()
    if args.restore:
        print(f"{platform.machine()}, {os.cpu_count()} CPUs, {args.rounds} rounds, median seconds:")
        report_restore(args.rounds, args.settle)
        return
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
