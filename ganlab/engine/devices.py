"""Find and describe the devices a run can use: each CUDA GPU, Apple MPS, the CPU."""

from __future__ import annotations

import functools
import os
import platform
from dataclasses import dataclass

import torch

from ganlab.errors import ConfigError


@dataclass(frozen=True)
class DeviceInfo:
    """One device a user can pick, with what a person needs to choose it."""

    id: str  # "cuda:0", "mps", "cpu": what TrainConfig.device takes
    name: str
    memory_gb: float | None  # total memory (None where unknown)
    kind: str  # "cuda" | "mps" | "cpu"

    @property
    def label(self) -> str:
        """Human text for a dropdown: ``cuda:0 · NVIDIA H100 (80 GB)``."""
        mem = f" ({self.memory_gb:.0f} GB)" if self.memory_gb else ""
        return f"{self.id} · {self.name}{mem}"


def _cpu_name() -> str:
    name = platform.processor() or platform.machine() or "CPU"
    return f"{name}, {os.cpu_count() or 1} cores"


@functools.cache
def cpu_has_native_bf16() -> bool:
    """Whether this CPU does bf16 arithmetic in hardware (AVX512-BF16 or AMX, e.g. AMD Zen 4, Intel
    Sapphire Rapids): there bf16 autocast makes a DCGAN step 1.7x faster (benchmarks/train_speed.py);
    elsewhere oneDNN emulates bf16 and it is slower. Read from /proc/cpuinfo (Linux); False elsewhere."""
    try:
        with open("/proc/cpuinfo") as handle:
            for line in handle:
                if line.startswith("flags"):
                    flags = set(line.split(":", 1)[1].split())
                    return bool(flags & {"avx512_bf16", "amx_bf16"})
    except OSError:
        pass
    return False


def emulated_bf16_note(precision: str, device: torch.device) -> str | None:
    """A warning for bf16 asked for by name on a CPU that only emulates it, or None.

    oneDNN runs bf16 there in software: a DCGAN-28 step measured 0.41 against fp32's 8.04
    steps/s on an AVX2 AMD EPYC (benchmarks/cpu_compile.py), so a user who asks for bf16 to go
    faster should hear that it does the opposite here, and what ``auto`` would pick instead."""
    if precision != "bf16" or device.type != "cpu" or cpu_has_native_bf16():
        return None
    return (
        "note: this CPU has no bf16 arithmetic in hardware (no AVX512-BF16 or AMX), so bf16 is emulated "
        "and runs many times slower than fp32 here; --precision auto would train in fp32"
    )


def list_devices() -> list[DeviceInfo]:
    """Every usable device, best first: CUDA GPUs by index, then MPS, then the CPU."""
    found: list[DeviceInfo] = []
    if torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            props = torch.cuda.get_device_properties(index)
            found.append(DeviceInfo(f"cuda:{index}", props.name, props.total_memory / 1e9, "cuda"))
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        found.append(DeviceInfo("mps", "Apple GPU (Metal)", None, "mps"))
    found.append(DeviceInfo("cpu", _cpu_name(), None, "cpu"))
    return found


def best_device() -> str:
    """What ``auto`` means: the first CUDA GPU, else MPS, else the CPU."""
    return list_devices()[0].id


def resolve_device(name: str) -> torch.device:
    """Turn a user's device string into a ``torch.device`` that really exists.

    Raises ConfigError naming what is available, so ``cuda:7`` on a one-GPU
    machine fails before any tensor is made.
    """
    text = (name or "auto").strip().lower()
    if text == "auto":
        text = best_device()
    if text == "cuda":
        text = "cuda:0"
    available = {d.id for d in list_devices()}
    if text not in available:
        have = ", ".join(sorted(available))
        raise ConfigError(f"device: {name!r} is not available on this machine (available: {have})")
    return torch.device(text)
