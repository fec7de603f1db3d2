"""Checkpoints: ``model.safetensors`` (every tensor) + ``model.json`` (everything else).

No pickle anywhere: weights, optimizer moments and the random generator's
state are tensors in safetensors; architecture, config, metrics and
optimizer hyper-parameters are JSON. Loading checks the architecture, the
keys and the shapes and says exactly what does not fit. Files are written
to a temporary name and renamed, so a crash never leaves half a checkpoint.
"""

from __future__ import annotations

import json
import os
import platform
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import torch
from safetensors import SafetensorError, safe_open
from safetensors.torch import load_file, save_file
from torch import nn

from ganlab import __version__, limits
from ganlab.errors import CheckpointError
from ganlab.nn.registry import build
from ganlab.paths import pretrained_dir

FORMAT = "ganlab-checkpoint"
FORMAT_VERSION = 1
WEIGHTS, META = "model.safetensors", "model.json"
EMBEDDED_META = "ganlab_meta"  # a copy of model.json inside the weights' header: one atomic file
PICKLE_SUFFIXES = (".pth", ".pt", ".ckpt", ".bin", ".pkl", ".pickle")


@dataclass
class Checkpoint:
    """A checkpoint read from disk: its metadata and its tensors grouped by prefix."""

    path: Path  # the folder (or the .safetensors file's folder)
    meta: dict[str, Any]
    tensors: dict[str, torch.Tensor] = field(repr=False)

    def group(self, prefix: str) -> dict[str, torch.Tensor]:
        p = prefix + "."
        return {k[len(p) :]: v for k, v in self.tensors.items() if k.startswith(p)}

    @property
    def kind(self) -> str:
        return self.meta.get("kind", "gan")

    @property
    def name(self) -> str:
        return self.meta.get("name") or self.path.name


# -- writing ----------------------------------------------------------------------


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write to a temp file in the same folder, fsync, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _atomic_save_tensors(tensors: dict[str, torch.Tensor], path: Path, metadata: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    os.close(fd)
    try:
        save_file({k: v.detach().contiguous().cpu() for k, v in tensors.items()}, tmp, metadata=metadata)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def module_spec(module: nn.Module) -> dict[str, Any]:
    return {"arch": module.arch, "args": dict(module.args)}


def save_checkpoint(folder: str | Path, tensors: dict[str, torch.Tensor], meta: dict[str, Any]) -> Path:
    """Write a checkpoint folder: tensors first, JSON last (the JSON marks it complete)."""
    folder = Path(folder)
    meta = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ganlab_version": __version__,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "torch_version": torch.__version__,
        "python": platform.python_version(),
        **meta,
        "save_id": uuid.uuid4().hex,
    }
    text = json.dumps(meta, indent=2, default=_json_default)
    # The weights file carries its own copy of the JSON, so a crash between the two renames
    # below leaves weights that still know their metadata (see load_checkpoint).
    _atomic_save_tensors(tensors, folder / WEIGHTS, {"format": FORMAT, EMBEDDED_META: text})
    atomic_write_bytes(folder / META, text.encode())
    return folder


def _json_default(value: Any) -> Any:
    if isinstance(value, torch.Tensor):
        return value.tolist()
    if isinstance(value, Path):
        return str(value)
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def prefixed(prefix: str, state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    return {f"{prefix}.{k}": v for k, v in state.items()}


# -- reading ----------------------------------------------------------------------


def resolve(spec: str | Path) -> Path:
    """A run folder, a ``.safetensors``/``.json`` file, or the name of a shipped checkpoint."""
    path = Path(spec).expanduser()
    if path.is_dir():
        return path
    if path.is_file() and path.suffix in (".safetensors", ".json"):
        return path.parent
    if path.is_file() and path.suffix.lower() in PICKLE_SUFFIXES:  # never unpickled here
        raise CheckpointError(
            f"{path.name} is a PyTorch pickle file, not a GAN Lab checkpoint (a folder with "
            f"{META} + {WEIGHTS}); official CycleGAN .pth generators open with 'translate'"
        )
    shipped = pretrained_dir() / str(spec)
    if not path.exists() and shipped.is_dir():
        return shipped
    names = ", ".join(list_pretrained()) or "none"
    raise CheckpointError(
        f"checkpoint {str(spec)!r} not found: give a run folder, a model.safetensors file, or a shipped name ({names})"
    )


def list_pretrained() -> list[str]:
    root = pretrained_dir()
    if not root.is_dir():
        return []
    return sorted(p.name for p in root.iterdir() if (p / META).is_file())


def read_meta(folder: Path) -> dict[str, Any]:
    meta_path = folder / META
    if not meta_path.is_file():
        raise CheckpointError(f"{folder}: no {META} beside the weights; not a GAN Lab checkpoint")
    cap = limits.get("meta_bytes")
    if meta_path.stat().st_size > cap:
        raise CheckpointError(f"{meta_path}: metadata is implausibly large (over {limits.mb(cap)})")
    return parse_meta(meta_path.read_bytes(), meta_path)


def parse_meta(raw: bytes | str, label: Any) -> dict[str, Any]:
    """model.json text -> dict, checked to be a GAN Lab checkpoint of a version this code reads."""
    try:
        meta = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{label}: not valid JSON ({exc})") from None
    except RecursionError:
        raise CheckpointError(f"{label}: JSON nested too deeply; not a GAN Lab checkpoint") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise CheckpointError(f"{label}: not a GAN Lab checkpoint (format is not {FORMAT!r})")
    version = meta.get("format_version", 0)
    if isinstance(version, bool) or not isinstance(version, (int, float)):
        raise CheckpointError(f"{label}: format_version must be a number; got {str(version)[:40]!r}")
    if version > FORMAT_VERSION:
        raise CheckpointError(f"{label}: written by a newer GAN Lab (format {version}); upgrade ganlab to read it")
    for key in ("config", "generator", "discriminator", "dataset", "metrics", "generators"):
        if meta.get(key) is not None and not isinstance(meta[key], dict):
            raise CheckpointError(f"{label}: {key!r} must be a JSON object; got {type(meta[key]).__name__}")
    return meta


def _embedded_meta(weights: Path) -> dict[str, Any] | None:
    """The metadata saved inside the weights' header (None for files written before it was added)."""
    try:
        with safe_open(str(weights), "pt") as handle:
            text = (handle.metadata() or {}).get(EMBEDDED_META)
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{weights}: unreadable or truncated safetensors file ({exc})") from None
    return None if text is None else parse_meta(text, weights)


def load_checkpoint(spec: str | Path) -> Checkpoint:
    """Read a checkpoint's JSON and tensors (on the CPU); any damage becomes CheckpointError."""
    folder = resolve(spec)
    given = Path(spec).expanduser()
    weights = given if given.is_file() and given.suffix == ".safetensors" else folder / WEIGHTS
    if (folder / META).is_file():
        meta = read_meta(folder)
        if not weights.is_file():
            raise CheckpointError(f"{folder}: {WEIGHTS} is missing")
        embedded = _embedded_meta(weights)
        if embedded is not None and embedded.get("save_id") != meta.get("save_id"):
            meta = embedded  # a save was cut between its two renames: the weights' own copy is the truth
    else:  # a weights file on its own (a download, a copy): its header carries the model card
        if not weights.is_file():
            raise CheckpointError(f"{folder}: no {META} and no {WEIGHTS}; not a GAN Lab checkpoint")
        meta = _embedded_meta(weights)
        if meta is None:
            raise CheckpointError(
                f"{weights}: no {META} beside it and no GAN Lab metadata inside; not a GAN Lab checkpoint"
            )
    try:
        tensors = load_file(str(weights), device="cpu")
    except (SafetensorError, OSError, ValueError) as exc:
        raise CheckpointError(f"{weights}: unreadable or truncated safetensors file ({exc})") from None
    return Checkpoint(folder, meta, tensors)


def load_into(module: nn.Module, state: dict[str, torch.Tensor], what: str) -> None:
    """``load_state_dict`` that explains a mismatch instead of raising a raw KeyError/RuntimeError."""
    expected = module.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = [
        f"{k}: file {tuple(state[k].shape)} vs model {tuple(v.shape)}"
        for k, v in expected.items()
        if k in state and state[k].shape != v.shape
    ]
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} keys (e.g. {', '.join(missing[:3])})")
    if unexpected:
        problems.append(f"{len(unexpected)} unexpected keys (e.g. {', '.join(unexpected[:3])})")
    if wrong:
        problems.append(f"{len(wrong)} shape mismatches (e.g. {'; '.join(wrong[:2])})")
    if problems:
        raise CheckpointError(
            f"{what} does not fit its architecture {getattr(module, 'arch', '?')}: " + "; ".join(problems)
        )
    module.load_state_dict(state)


def build_module(spec: Any, state: dict[str, torch.Tensor], what: str) -> nn.Module:
    """Rebuild a module from ``{"arch", "args"}`` and load its weights, checking both."""
    if not isinstance(spec, dict) or not isinstance(spec.get("arch"), str) or not isinstance(spec.get("args"), dict):
        raise CheckpointError(f"{what}: model.json lacks a valid architecture entry")
    module = build(spec["arch"], spec["args"])
    load_into(module, state, what)
    return module


def load_generator(spec: str | Path, device: str | torch.device = "cpu") -> tuple[nn.Module, Checkpoint]:
    """The generator to sample from (EMA weights where saved), in eval mode on ``device``: any
    kind whose family puts its generator behind the protocol (gan, stylegan)."""
    from ganlab.families import has_generator  # plug-in lookup by name, as nn.registry.build does

    ckpt = load_checkpoint(spec)
    if not has_generator(ckpt.kind):
        raise CheckpointError(
            f"{ckpt.path.name} is a {ckpt.kind} checkpoint, not a GAN generator; use it with 'translate' instead"
        )
    prefix = "G_ema" if ckpt.group("G_ema") else "G"
    g = build_module(ckpt.meta.get("generator"), ckpt.group(prefix), f"{ckpt.path.name} generator")
    return g.to(device).eval().requires_grad_(False), ckpt
