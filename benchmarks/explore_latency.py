"""Explore-tab latency per change, for every shipped generator, on the CPU (goal: <= 200 ms).

    python benchmarks/explore_latency.py [--repeats 30] [--threads 1] [--http]

Measures the handlers the tab calls: a new seed (``generate``: one image),
a slider move (``edit``: the image and its 9-frame strip) and an
interpolation (16 frames + GIF). ``--http`` also times ``generate`` through a
launched Blocks with gradio_client (adds server, PNG and HTTP overhead).
Prints median and p95 in milliseconds, and the machine's load.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import torch  # noqa: E402


def timed(fn, repeats: int) -> tuple[float, float]:
    fn()  # warm: first call loads the checkpoint and its principal directions
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[min(len(times) - 1, int(round(0.95 * (len(times) - 1))))]


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--repeats", type=int, default=30)
    p.add_argument("--threads", type=int, default=1, help="torch CPU threads")
    p.add_argument("--http", action="store_true", help="also time /generate through gradio_client")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    from ganlab.engine.checkpoints import list_pretrained
    from ganlab.ui.tabs import explore_actions as et
    from ganlab.ui.tabs import interpolate as it

    names = list_pretrained()
    if not names:
        print("no shipped checkpoints under pretrained/")
        return 1
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    print(
        f"CPU: {platform.processor() or platform.machine()}, {os.cpu_count()} cores, torch threads "
        f"{args.threads}, load average {load:.1f}; {args.repeats} repeats; times in ms (median / p95)"
    )
    print(f"{'model':<20}{'new seed':>16}{'slider move':>16}{'interp 16+GIF':>18}")
    seeds = iter(range(10**9))
    for name in names:
        loaded = et.resolve_checkpoint(name)
        label = loaded.class_names[0] if loaded.conditional else None
        sliders = [0.5, 0, 0, 0, 0] + [0.0] * 8
        gen = timed(lambda: et.generate(name, next(seeds), 1.0, label), args.repeats)
        edit = timed(lambda: et.edit(name, 3, 1.0, label, "PC1", 3.0, *sliders), args.repeats)
        interp = timed(
            lambda: it.interpolate(name, 0, next(seeds), 16, "slerp", 1.0, label, label), max(5, args.repeats // 5)
        )
        verdict = "ok" if max(gen[0], edit[0]) <= 200 else "SLOW"
        print(
            f"{name:<20}{gen[0]:>8.1f} / {gen[1]:>5.1f}{edit[0]:>8.1f} / {edit[1]:>5.1f}"
            f"{interp[0]:>10.1f} / {interp[1]:>5.1f}  {verdict}"
        )
    if args.http:
        http_round_trip(names, args.repeats)
    return 0


def http_round_trip(names: list[str], repeats: int) -> None:
    import gradio as gr
    from gradio_client import Client

    from ganlab.ui.tabs.explore import build_explore_tab

    with gr.Blocks() as demo:
        build_explore_tab()
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    client = Client(demo.local_url, verbose=False)
    try:
        print(f"{'model':<20}{'HTTP /generate':>16}")
        for name in names:
            seeds = iter(range(10**9))
            med, p95 = timed(lambda: client.predict(name, next(seeds), 1.0, None, api_name="/generate"), repeats)
            print(f"{name:<20}{med:>8.1f} / {p95:>5.1f}")
    finally:
        client.close()
        demo.close()


if __name__ == "__main__":
    sys.exit(main())
