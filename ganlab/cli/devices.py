"""``python -m ganlab devices``: what a run can use, best first."""

from __future__ import annotations


def register(sub) -> None:
    p = sub.add_parser("devices", help="list CUDA GPUs, Apple MPS and the CPU")
    p.set_defaults(func=run)


def run(args) -> int:
    from ganlab.engine.devices import best_device, list_devices

    auto = best_device()
    for dev in list_devices():
        mem = f"{dev.memory_gb:.1f} GB" if dev.memory_gb else "-"
        mark = "  (auto)" if dev.id == auto else ""
        print(f"{dev.id:<8} {dev.name:<40} {mem:>9}{mark}")
    return 0
