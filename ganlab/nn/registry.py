"""Architectures by name, so a checkpoint can rebuild what it saved.

``ARCHITECTURES`` maps the name stored in ``model.json`` (``module.arch``) to
its class. Each family registers its own modules with :func:`register` when
its package is imported; :func:`build` imports the families first, so a
checkpoint of any family rebuilds without the caller knowing which it is.
"""

from __future__ import annotations

import importlib
from typing import Any

from torch import nn

from ganlab.errors import CheckpointError
from ganlab.nn.budget import check_budget

ARCHITECTURES: dict[str, type[nn.Module]] = {}


def register(cls: type[nn.Module]) -> type[nn.Module]:
    """Add a model class (with an ``arch`` name and an ``args`` dict) to the registry."""
    ARCHITECTURES[cls.arch] = cls
    return cls


def known_architectures() -> dict[str, type[nn.Module]]:
    """Every registered architecture, with every family's package imported first."""
    importlib.import_module("ganlab.families")  # the families register their modules on import
    return ARCHITECTURES


def build(arch: str, args: dict[str, Any]) -> nn.Module:
    """Rebuild a model from its stored architecture name and arguments.

    The arguments are untrusted (they come from a checkpoint's JSON): types, ranges and the
    parameter count (counted on the meta device) are checked before anything is allocated.
    """
    cls = known_architectures().get(arch) if isinstance(arch, str) else None
    if cls is None:
        raise CheckpointError(f"unknown architecture {str(arch)[:60]!r} (known: {', '.join(sorted(ARCHITECTURES))})")
    check_budget(cls, args)
    try:
        return cls(**args)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"cannot build {arch} from its stored arguments: {exc}") from None
