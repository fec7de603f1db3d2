"""Open CycleGAN generators: the project's checkpoints and the official release's ``.pth`` files.

Official files (``latest_net_G_A.pth``, ``summer2winter_yosemite.pth``,
``horse2zebra.pth``, ...) are plain state dicts. They are read with
``torch.load(weights_only=True)`` only, so a file that carries code is
refused, never run. Files from old PyTorch versions hold InstanceNorm
running buffers the network does not use; they are dropped the way the
release's ``__patch_instance_norm_state_dict`` drops them. The generator's
size (ngf, residual blocks) is read off the tensors' shapes.
"""

from __future__ import annotations

import pickle
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import torch
from torch import nn

from ganlab import limits
from ganlab.engine.checkpoints import build_module, load_checkpoint, load_into
from ganlab.errors import CheckpointError
from ganlab.families.cyclegan.models import ResnetGenerator

OFFICIAL_SUFFIXES = (".pth", ".pt", ".ckpt", ".bin")
DIRECTIONS = ("AtoB", "BtoA")
_BLOCK_KEY = re.compile(r"^model\.(\d+)\.conv_block\.")
_TOP_CONV = re.compile(r"^model\.(\d+)\.weight$")
_IN_BUFFERS = ("running_mean", "running_var", "num_batches_tracked")
_WRAPPERS = ("state_dict", "model", "netG", "netG_A", "G", "generator")


@dataclass
class Translator:
    """A generator ready to translate, its inverse where known (for A->B->A), and labels."""

    forward: nn.Module
    backward: nn.Module | None
    name: str
    source: str = "A"
    target: str = "B"
    origin: str = "ganlab"  # "ganlab" | "official"
    meta: dict = field(default_factory=dict, repr=False)  # model.json of a project checkpoint

    @property
    def label(self) -> str:
        return f"{self.source} → {self.target}"

    def reversed(self) -> "Translator":
        """The way back (B -> A), where the inverse generator is known."""
        if self.backward is None:
            raise CheckpointError(
                f"{self.name} translates {self.label} only; it has no inverse for "
                f"{self.target} → {self.source} (give its partner model as the inverse)"
            )
        return Translator(self.backward, self.forward, self.name, self.target, self.source, self.origin, self.meta)

    def to(self, device: str | torch.device) -> "Translator":
        self.forward.to(device)
        if self.backward is not None:
            self.backward.to(device)
        return self


def is_official_file(spec: str | Path) -> bool:
    return Path(str(spec)).suffix.lower() in OFFICIAL_SUFFIXES


# -- official .pth ------------------------------------------------------------------


def read_state_dict(path: str | Path) -> dict[str, torch.Tensor]:
    """A ``.pth`` file -> its tensors; anything but a plain state dict is a CheckpointError."""
    path = Path(path).expanduser()
    if not path.is_file():
        raise CheckpointError(f"{path}: file not found")
    if path.stat().st_size > limits.get("pth_bytes"):
        raise CheckpointError(
            f"{path.name}: {limits.mb(path.stat().st_size)} is too large for a generator (GANLAB_MAX_PTH_BYTES)"
        )
    try:
        obj = torch.load(str(path), map_location="cpu", weights_only=True)
    except pickle.UnpicklingError as exc:
        text = str(exc)
        if "weights_only" in text.lower() or "unsupported global" in text.lower():
            raise CheckpointError(
                f"{path.name}: refused: the file holds pickled Python objects, not just tensors, and was "
                "not loaded (only weights-only state dicts are accepted, for safety)"
            ) from None
        raise CheckpointError(f"{path.name}: not a PyTorch weights file ({_first_line(text)})") from None
    except (
        RuntimeError,
        EOFError,
        ValueError,
        OSError,
        zipfile.BadZipFile,
        AttributeError,
        TypeError,
        IndexError,
        KeyError,
        UnicodeDecodeError,
    ) as exc:
        raise CheckpointError(
            f"{path.name}: unreadable or truncated PyTorch file ({type(exc).__name__}: {_first_line(str(exc))})"
        ) from None
    return _tensors_of(obj, path.name)


def _first_line(text: str, limit: int = 160) -> str:
    line = (text.strip().splitlines() or [""])[0]
    return line if len(line) <= limit else line[:limit] + "..."


def _tensors_of(obj: Any, label: str) -> dict[str, torch.Tensor]:
    if isinstance(obj, Mapping):
        for key in _WRAPPERS:  # {"state_dict": {...}} and similar one-level wrappers
            inner = obj.get(key)
            if isinstance(inner, Mapping) and any(torch.is_tensor(v) for v in inner.values()):
                obj = inner
                break
    if not isinstance(obj, Mapping):
        raise CheckpointError(f"{label}: holds a {type(obj).__name__}, not a state dict of tensors")
    tensors = {str(k): v for k, v in obj.items() if torch.is_tensor(v)}
    if not tensors:
        raise CheckpointError(f"{label}: holds no tensors")
    if all(k.startswith("module.") for k in tensors):  # saved from nn.DataParallel
        tensors = {k[len("module.") :]: v for k, v in tensors.items()}
    return tensors


def infer_generator_args(state: Mapping[str, torch.Tensor], label: str = "file") -> dict[str, int]:
    """ngf, blocks and channels of a ResNet generator, read from its tensor shapes."""
    first = state.get("model.1.weight")
    if first is None or first.ndim != 4 or tuple(first.shape[2:]) != (7, 7):
        raise CheckpointError(f"{label}: not a CycleGAN ResNet generator: {_what_it_looks_like(state)}")
    blocks = {int(m.group(1)) for k in state if (m := _BLOCK_KEY.match(k))}
    tops = sorted(int(m.group(1)) for k in state if (m := _TOP_CONV.match(k)))
    last = state[f"model.{tops[-1]}.weight"]
    return {
        "in_channels": int(first.shape[1]),
        "out_channels": int(last.shape[0]),
        "ngf": int(first.shape[0]),
        "n_blocks": len(blocks),
    }


def _what_it_looks_like(state: Mapping[str, torch.Tensor]) -> str:
    keys = list(state)
    first = state.get("model.0.weight")
    if first is not None and first.ndim == 4 and tuple(first.shape[2:]) == (4, 4):
        return (
            "it looks like a PatchGAN discriminator (a *_net_D*.pth file); translation needs a generator "
            "(latest_net_G_A.pth, latest_net_G_B.pth or a released NAME.pth)"
        )
    if any(k.startswith("model.model.") for k in keys):
        return "it looks like a U-Net generator (pix2pix); only CycleGAN's ResNet generator is supported"
    return (
        "expected keys such as model.1.weight (a 7x7 conv) and model.10.conv_block.1.weight; "
        f"found {', '.join(keys[:3])}{' ...' if len(keys) > 3 else ''}"
    )


def strip_instance_norm_buffers(state: dict[str, torch.Tensor], model: nn.Module) -> dict[str, torch.Tensor]:
    """Drop InstanceNorm running stats the model does not keep (the release's patch for pre-0.4 files)."""
    kept = {}
    for key, value in state.items():
        owner, _, leaf = key.rpartition(".")
        if leaf in _IN_BUFFERS:
            try:
                module = model.get_submodule(owner)
            except AttributeError:
                module = None
            if isinstance(module, nn.InstanceNorm2d) and (
                leaf == "num_batches_tracked" or getattr(module, leaf, None) is None
            ):
                continue
        kept[key] = value
    return kept


def generator_from_state(state: Mapping[str, torch.Tensor], label: str = "file") -> ResnetGenerator:
    """Build the generator the tensors describe and load them, explaining any mismatch."""
    args = infer_generator_args(state, label)
    model = ResnetGenerator(**args)
    clean = {
        k: v.float() if v.is_floating_point() else v for k, v in strip_instance_norm_buffers(dict(state), model).items()
    }
    load_into(model, clean, f"{label} (CycleGAN generator, ngf={args['ngf']}, {args['n_blocks']} blocks)")
    return model


def load_official_generator(path: str | Path) -> ResnetGenerator:
    """An official CycleGAN ``.pth`` generator, in eval mode on the CPU."""
    state = read_state_dict(path)
    return generator_from_state(state, Path(path).name).eval().requires_grad_(False)


# -- translators ------------------------------------------------------------------


def normalise_direction(direction: str | None) -> str:
    text = (direction or "AtoB").strip().replace("->", "to").replace("2", "to").lower()
    for value in DIRECTIONS:
        if text == value.lower():
            return value
    raise CheckpointError(f"direction must be AtoB or BtoA; got {direction!r}")


def load_translator(
    spec: str | Path,
    direction: str | None = None,
    device: str | torch.device = "cpu",
    inverse: str | Path | None = None,
    follow_inverse: bool = True,
) -> Translator:
    """A Translator from a project checkpoint (folder, file, shipped name) or an official ``.pth``.

    ``direction`` picks G_AB or G_BA from a training checkpoint; for an
    exported or official generator ``BtoA`` swaps it with its inverse.
    ``inverse`` (another spec) supplies the way back when the checkpoint
    does not name one.
    """
    direction = normalise_direction(direction)
    if is_official_file(spec):
        g = load_official_generator(spec)
        back = _load_inverse(inverse, device) if follow_inverse else None
        found = Translator(g, back, Path(spec).stem, origin="official").to(device)
        return found if direction == "AtoB" else found.reversed()
    ckpt = load_checkpoint(spec)
    if ckpt.kind != "cyclegan":
        raise CheckpointError(
            f"{ckpt.path.name} is a {ckpt.kind} checkpoint, not a CycleGAN translator; use it with 'sample' instead"
        )
    meta = ckpt.meta
    if ckpt.group("G"):  # an exported single-direction model
        g = build_module(meta.get("generator"), ckpt.group("G"), f"{ckpt.name} generator")
        back = _load_inverse(inverse or _sibling(ckpt.path, meta.get("inverse")), device) if follow_inverse else None
        found = Translator(
            g.eval().requires_grad_(False), back, ckpt.name, meta.get("source", "A"), meta.get("target", "B"), meta=meta
        ).to(device)
        return found if direction == "AtoB" else found.reversed()
    specs = meta.get("generators") or {}
    names = ("G_AB", "G_BA") if direction == "AtoB" else ("G_BA", "G_AB")
    fwd, back = (
        build_module(specs.get(n), ckpt.group(n), f"{ckpt.name} {n}").eval().requires_grad_(False) for n in names
    )
    domains = list((meta.get("dataset") or {}).get("domains") or ["A", "B"])
    source, target = domains if direction == "AtoB" else domains[::-1]
    return Translator(fwd, back, f"{ckpt.name} ({direction})", source, target, meta=meta).to(device)


def _sibling(folder: Path, name: Any) -> Path | None:
    """The inverse named in model.json, looked up beside the checkpoint (shipped pairs sit together)."""
    if not isinstance(name, str) or not name or "/" in name or "\\" in name or name.startswith("."):
        return None
    candidate = folder.parent / name
    return candidate if candidate.is_dir() else None


def _load_inverse(spec: str | Path | None, device) -> nn.Module | None:
    if spec is None:
        return None
    return load_translator(spec, "AtoB", device, follow_inverse=False).forward
