"""Check a model's stored arguments *before* building it: types, ranges and parameter count.

A checkpoint's ``model.json`` is untrusted: ``width: 10**9`` or ``n_blocks:
10**7`` would otherwise allocate until the machine dies. Each architecture
has a closed-form parameter estimate (weights dominate; exact enough for a
budget), compared with ``GANLAB_MAX_MODEL_PARAMS``.
"""

from __future__ import annotations

import inspect
import math
from typing import Any, Callable

from ganlab import limits
from ganlab.errors import CheckpointError

MAX_INT_ARG = 1 << 20  # no architecture argument is legitimately larger
MAX_DEPTH = 64  # layers / blocks


def _mlp(inputs: int, width: int, depth: int, outputs: int) -> int:
    if depth == 0:
        return (inputs + 1) * outputs
    return (inputs + 1) * width + (depth - 1) * (width + 1) * width + (width + 1) * outputs


def _dcgan_plan(size: int) -> tuple[int, int]:
    start = 7 if size == 28 else 4
    ups = int(round(math.log2(size / start))) if size > 0 else -1
    if ups < 1 or start * 2**ups != size:
        raise CheckpointError(f"image_size must be 16, 28, 32 or 64; got {size}")
    return start, ups


def _dcgan_g(a: dict) -> int:
    start, ups = _dcgan_plan(a["image_size"])
    embed = min(a["z_dim"], 50) if a["num_classes"] else 0
    ch = a["width"] * 2 ** (ups - 1)
    total = (a["z_dim"] + embed) * ch * start**2 + a["num_classes"] * embed + 2 * ch
    for _ in range(ups - 1):
        total += ch * (ch // 2) * 16 + ch
        ch //= 2
    return total + ch * a["channels"] * 16 + a["channels"]


def _dcgan_d(a: dict) -> int:
    start, ups = _dcgan_plan(a["image_size"])
    ch = a["width"]
    total = (a["channels"] + a["num_classes"]) * ch * 16 + ch
    for _ in range(ups - 1):
        total += ch * ch * 2 * 16 + 4 * ch
        ch *= 2
    return total + ch * start**2 + 1 + a["num_classes"] * ch


def _resnet(a: dict) -> int:
    ngf = a["ngf"]
    return (49 * (a["in_channels"] + a["out_channels"]) * ngf + 9 * (2 * ngf * ngf + 8 * ngf * ngf) * 2
            + a["n_blocks"] * 2 * 9 * (4 * ngf) ** 2 + 16 * ngf)


def _patch(a: dict) -> int:
    ndf, total, mult = a["ndf"], 16 * a["in_channels"] * a["ndf"], 1
    for n in range(1, a["n_layers"] + 1):
        prev, mult = mult, min(2**n, 8)
        total += 16 * ndf * prev * ndf * mult
    return total + 16 * ndf * mult


ESTIMATES: dict[str, Callable[[dict], int]] = {
    "mlp-g": lambda a: _mlp(a["z_dim"], a["width"], a["depth"], a["out_dim"]),
    "mlp-d": lambda a: _mlp(a["in_dim"], a["width"], a["depth"], 1),
    "dcgan-g": _dcgan_g,
    "dcgan-d": _dcgan_d,
    "cyclegan-resnet": _resnet,
    "cyclegan-patch": _patch,
}
DEPTH_ARGS = ("depth", "n_blocks", "n_layers")


def checked_args(cls: type, args: Any) -> dict[str, Any]:
    """``args`` with defaults filled in, every value of the type its default has, ints in range."""
    if not isinstance(args, dict):
        raise CheckpointError(f"{cls.arch}: stored arguments must be a JSON object; got {type(args).__name__}")
    params = {n: p.default for n, p in inspect.signature(cls.__init__).parameters.items()
              if n != "self" and p.default is not inspect.Parameter.empty}
    unknown = sorted(set(args) - set(params))
    if unknown:
        raise CheckpointError(f"{cls.arch}: unknown stored argument {unknown[0]!r}")
    full = {**params, **args}
    for name, value in full.items():
        default = params[name]
        if isinstance(default, bool) or isinstance(default, str):
            if type(value) is not type(default):
                raise CheckpointError(f"{cls.arch}: argument {name} must be a {type(default).__name__}; "
                                      f"got {value!r:.40}")
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise CheckpointError(f"{cls.arch}: argument {name} must be a whole number; got {value!r:.40}")
            high = MAX_DEPTH if name in DEPTH_ARGS else MAX_INT_ARG
            low = 0 if name in ("depth", "n_blocks", "num_classes") else 1
            if not low <= value <= high:
                raise CheckpointError(f"{cls.arch}: argument {name}={value} is out of range [{low}, {high}]")
    return full


def check_budget(cls: type, args: Any) -> int:
    """Validate ``args`` for ``cls`` and return its estimated parameter count; refuse one over the cap."""
    full = checked_args(cls, args)
    estimate = ESTIMATES.get(cls.arch)
    if estimate is None:
        return 0  # a registered model without an estimate: the type/range checks above still apply
    count = estimate(full)
    cap = limits.get("model_params")
    if count > cap:
        raise CheckpointError(f"{cls.arch}: these arguments make about {count:,} parameters, over the "
                              f"{cap:,} allowed (GANLAB_MAX_MODEL_PARAMS); refused before building")
    return count
