"""Every checkpoint a user can open: the shipped ones and the runs saved from the app or CLI.

The UI's checkpoint dropdowns and the CLI's name lookup read this one list,
so a run saved in the Train tab appears everywhere at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ganlab.engine.checkpoints import META, read_meta
from ganlab.errors import CheckpointError
from ganlab.paths import pretrained_dir, runs_dir


@dataclass(frozen=True)
class Entry:
    name: str  # what a dropdown shows
    path: Path  # the checkpoint folder
    kind: str  # "gan" | "stylegan" | "cyclegan"
    data_kind: str  # "points" | "image" | ...
    shipped: bool


def _scan(root: Path, shipped: bool, prefix: str) -> list[Entry]:
    if not root.is_dir():
        return []
    found = []
    for meta_path in sorted(root.glob(f"*/{META}")):
        try:
            meta = read_meta(meta_path.parent)
        except CheckpointError:
            continue  # a half-written or foreign folder is not offered
        data_kind = (meta.get("dataset") or {}).get("kind", "image")
        found.append(
            Entry(prefix + meta_path.parent.name, meta_path.parent, meta.get("kind", "gan"), data_kind, shipped)
        )
    return found


def list_checkpoints(kind: str | None = None, extra_roots: list[Path] | None = None) -> list[Entry]:
    """Shipped checkpoints first, then saved runs (``runs/NAME`` shown as ``runs/NAME``)."""
    entries = _scan(pretrained_dir(), True, "") + _scan(runs_dir(), False, "runs/")
    for root in extra_roots or []:
        entries += _scan(root, False, f"{root.name}/")
    return [e for e in entries if kind is None or e.kind == kind]


def list_generators(extra_roots: list[Path] | None = None) -> list[Entry]:
    """The checkpoints the generator protocol can sample (every kind whose family has an adapter:
    gan, stylegan), in :func:`list_checkpoints` order: what Explore and Interpolate offer."""
    from ganlab.families import has_generator  # by name, as engine.checkpoints.load_generator does

    return [e for e in list_checkpoints(extra_roots=extra_roots) if has_generator(e.kind)]
