"""Named unpaired photo sets: the one list the config, the CLI, the UI and the loader read.

A named set is a folder under the data root holding ``trainA/``, ``trainB/``
(and, for a held-out score, ``testA/``, ``testB/``), as the CycleGAN release
ships them. Anything else is given as ``unpaired:DIR_A,DIR_B``.
"""

from __future__ import annotations

from dataclasses import dataclass

UNPAIRED_PREFIX = "unpaired:"


@dataclass(frozen=True)
class NamedSet:
    """Where a named set lives under the data root, and what its two domains are called."""

    folder: str
    domains: tuple[str, str]
    display: str  # the name runs and messages use


SUMMER2WINTER = "summer2winter_yosemite"  # the release's folder name
DEFAULT_SET = "summer2winter"  # the CycleGAN default and the tab's offline choice
NAMED_SETS: dict[str, NamedSet] = {
    "summer2winter": NamedSet(SUMMER2WINTER, ("summer", "winter"), DEFAULT_SET),
    "summer2winter_yosemite": NamedSet(SUMMER2WINTER, ("summer", "winter"), DEFAULT_SET),
}


def named_set(name: str | None) -> NamedSet | None:
    """The named set ``name`` refers to (any case, spaces ignored), or None."""
    return NAMED_SETS.get((name or "").strip().lower())


def is_unpaired(name: str) -> bool:
    """True for ``unpaired:...`` and the named sets: the CLI sends these to CycleGAN training."""
    return name.startswith(UNPAIRED_PREFIX) or name.lower() in NAMED_SETS
