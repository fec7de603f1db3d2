"""Check a model's stored arguments *before* building it: types, ranges and parameter count.

A checkpoint's ``model.json`` is untrusted: ``width: 10**9`` or ``n_blocks:
10**7`` would otherwise allocate until the machine dies. The arguments'
types and ranges are checked first (cheap, and they bound how long a build
can take); then the model is built on the ``meta`` device, where tensors
have shapes but no storage, and its parameters are counted exactly and
compared with ``GANLAB_MAX_MODEL_PARAMS``. Every registered architecture is
counted the same way: no per-architecture formula to forget or get wrong.
"""

from __future__ import annotations

import inspect
from typing import Any

import torch

from ganlab import limits
from ganlab.errors import CheckpointError

MAX_INT_ARG = 1 << 20  # no architecture argument is legitimately larger
MAX_DEPTH = 64  # layers / blocks
DEPTH_ARGS = ("depth", "n_blocks", "n_layers")
ZERO_OK_ARGS = ("depth", "n_blocks", "num_classes", "cond_channels")  # 0 means "none of these"


def checked_args(cls: type, args: Any) -> dict[str, Any]:
    """``args`` with defaults filled in, every value of the type its default has, ints in range."""
    if not isinstance(args, dict):
        raise CheckpointError(f"{cls.arch}: stored arguments must be a JSON object; got {type(args).__name__}")
    params = {
        n: p.default
        for n, p in inspect.signature(cls.__init__).parameters.items()
        if n != "self" and p.default is not inspect.Parameter.empty
    }
    unknown = sorted(set(args) - set(params))
    if unknown:
        raise CheckpointError(f"{cls.arch}: unknown stored argument {unknown[0]!r}")
    full = {**params, **args}
    for name, value in full.items():
        default = params[name]
        if isinstance(default, bool) or isinstance(default, str):
            if type(value) is not type(default):
                raise CheckpointError(
                    f"{cls.arch}: argument {name} must be a {type(default).__name__}; got {value!r:.40}"
                )
        elif isinstance(default, int):
            if isinstance(value, bool) or not isinstance(value, int):
                raise CheckpointError(f"{cls.arch}: argument {name} must be a whole number; got {value!r:.40}")
            high = MAX_DEPTH if name in DEPTH_ARGS else MAX_INT_ARG
            low = 0 if name in ZERO_OK_ARGS else 1
            if not low <= value <= high:
                raise CheckpointError(f"{cls.arch}: argument {name}={value} is out of range [{low}, {high}]")
    return full


def count_parameters(cls: type, args: dict[str, Any]) -> int:
    """Exact parameter count of ``cls(**args)``, built on the meta device (no memory is allocated)."""
    try:
        with torch.device("meta"):
            model = cls(**args)
    except (TypeError, ValueError, RuntimeError) as exc:
        raise CheckpointError(f"cannot build {cls.arch} from its stored arguments: {exc}") from None
    return sum(p.numel() for p in model.parameters())


def check_budget(cls: type, args: Any) -> int:
    """Validate ``args`` for ``cls`` and return its parameter count; refuse one over the cap."""
    full = checked_args(cls, args)
    count = count_parameters(cls, full)
    cap = limits.get("model_params")
    if count > cap:
        raise CheckpointError(
            f"{cls.arch}: these arguments make about {count:,} parameters, over the "
            f"{cap:,} allowed (GANLAB_MAX_MODEL_PARAMS); refused before building"
        )
    return count
