"""Small argparse helpers shared by ``ganlab train`` and the families' flag groups."""

from __future__ import annotations

import argparse
from typing import Any, Iterable, Mapping

from ganlab.errors import GanLabError


def add_flag(parser: argparse.ArgumentParser | argparse._ArgumentGroup, flag: str, **kwargs) -> None:
    """Add ``flag`` unless the command already has it: families may share a flag (``--lr``) only
    when it means the same thing, and the first family to declare it wins."""
    if flag not in parser._option_string_actions:  # noqa: SLF001 - argparse has no public query
        parser.add_argument(flag, **kwargs)


def layered_config(config_cls: type, args: argparse.Namespace, preset: Mapping[str, Any], names: Iterable[str]) -> Any:
    """A family's config from its preset, then a ``--config`` JSON file, then the flags in
    ``names`` that were given (not yet validated: a family may adjust fields first)."""
    fields = dict(preset)
    if getattr(args, "config", None):
        if not args.config.is_file():
            raise GanLabError(f"--config: file not found: {args.config}")
        fields.update(vars(config_cls.from_json(args.config.read_text())))
        fields.pop("dataset", None)
    for name in names:
        value = getattr(args, name, None)
        if value is not None:
            fields[name] = value
    return config_cls(dataset=args.dataset, **fields)
