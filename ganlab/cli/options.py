"""Small argparse helpers shared by ``ganlab train`` and the families' flag groups."""

from __future__ import annotations

import argparse


def add_flag(parser: argparse.ArgumentParser | argparse._ArgumentGroup, flag: str, **kwargs) -> None:
    """Add ``flag`` unless the command already has it: families may share a flag (``--lr``) only
    when it means the same thing, and the first family to declare it wins."""
    if flag not in parser._option_string_actions:  # noqa: SLF001 - argparse has no public query
        parser.add_argument(flag, **kwargs)
