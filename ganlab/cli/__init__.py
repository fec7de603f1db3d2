"""``python -m ganlab COMMAND``: the headless front end over the same core as the UI.

Commands are a registry: each module under ``ganlab.cli`` defines
``register(subparsers)`` that adds its parser and sets ``func``. A
GanLabError (or ValueError from validation) becomes one line on stderr and
exit code 2; only real bugs print a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import os
import sys

from ganlab.errors import GanLabError

COMMAND_MODULES = ("train", "sample", "evaluate", "devices", "translate", "export", "mix", "restore")


def program_name(argv0: str | None = None) -> str:
    """How the user called us, for usage lines: ``ganlab`` (the console script) or ``python -m ganlab``."""
    name = os.path.basename(argv0 if argv0 is not None else sys.argv[0])
    return "ganlab" if name in ("ganlab", "ganlab.exe") else "python -m ganlab"


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, no usage dump
        self.exit(2, f"error: {message} (see: {program_name()} {self.prog.split()[-1]} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog=program_name(), description="GAN Lab: train, sample and evaluate GANs headless.")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(f"{__name__}.{name}")
        except ModuleNotFoundError as exc:
            if exc.name == f"{__name__}.{name}":
                continue  # a command that is not built yet
            raise
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except (GanLabError, ValueError, FileNotFoundError, PermissionError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
