"""Two unpaired image domains (A and B) held as uint8 tensors for CycleGAN training.

Images are decoded once (centre-cropped square, resized to ``load_size``)
into one uint8 tensor per domain, which lives on the training device; a
batch is a random crop of ``crop`` pixels plus a random horizontal flip,
made with one gather on the device (the official ``resize_and_crop`` +
``flip`` augmentation, without a DataLoader).

Specs: ``unpaired:DIR_A,DIR_B`` (folders or zips), or ``summer2winter``
(``$GANLAB_DATA/summer2winter_yosemite/trainA,trainB``).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import torch
from torch import Tensor

from ganlab.errors import DataUnavailable, GanLabError
from ganlab import limits
from ganlab.data.images import _decode, _iter_files, data_root
from ganlab.data.named import DEFAULT_SET, UNPAIRED_PREFIX, named_set


@dataclass
class UnpairedImages:
    """Domain A and domain B images, uint8 (N, 3, L, L) each; batches are float crops in [-1, 1]."""

    name: str
    a: Tensor
    b: Tensor
    crop: int
    domains: tuple[str, str] = ("A", "B")
    flip: bool = True
    description: str = ""

    @property
    def load_size(self) -> int:
        return int(self.a.shape[-1])

    @property
    def device(self) -> torch.device:
        return self.a.device

    def to(self, device: torch.device | str) -> "UnpairedImages":
        return replace(self, a=self.a.to(device), b=self.b.to(device))

    def sample(self, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor]:
        """``n`` independent random A and B crops (float, [-1, 1]) on the generator's device."""
        return (
            _crop_flip(self.a, n, self.crop, self.flip, generator),
            _crop_flip(self.b, n, self.crop, self.flip, generator),
        )

    def examples(self, n: int) -> tuple[Tensor, Tensor]:
        """The first ``n`` images of each domain, centre-cropped: a fixed set for progress views."""

        def centre(x: Tensor) -> Tensor:
            off = (x.shape[-1] - self.crop) // 2
            return to_float(x[:n, :, off : off + self.crop, off : off + self.crop])

        return centre(self.a), centre(self.b)

    def summary(self) -> dict:
        return {
            "name": self.name,
            "kind": "unpaired",
            "domains": list(self.domains),
            "size_a": int(self.a.shape[0]),
            "size_b": int(self.b.shape[0]),
            "load_size": self.load_size,
            "crop": self.crop,
            "flip": self.flip,
        }


def to_float(images: Tensor) -> Tensor:
    """uint8 -> float in [-1, 1] (the official Normalize((0.5,)*3, (0.5,)*3))."""
    return images.float().div_(127.5).sub_(1.0)


def _crop_flip(images: Tensor, n: int, crop: int, flip: bool, generator: torch.Generator) -> Tensor:
    """Random images, each with its own random crop offset and flip, gathered in one indexing op."""
    device = generator.device
    count, channels, size, _ = images.shape
    index = torch.randint(0, count, (n,), generator=generator, device=device)
    span = torch.arange(crop, device=device)
    top = torch.randint(0, size - crop + 1, (n, 1), generator=generator, device=device)
    left = torch.randint(0, size - crop + 1, (n, 1), generator=generator, device=device)
    rows = top + span  # (n, crop)
    cols = left + span
    if flip:
        mirrored = torch.rand(n, 1, generator=generator, device=device) < 0.5
        cols = torch.where(mirrored, left + crop - 1 - span, cols)
    chan = torch.arange(channels, device=device)
    out = images[index[:, None, None, None], chan[None, :, None, None], rows[:, None, :, None], cols[:, None, None, :]]
    return to_float(out)


# -- loading ------------------------------------------------------------------


def resolve_spec(spec: str, root: str | None = None, split: str = "train") -> tuple[Path, Path, tuple[str, str], str]:
    """(folder A, folder B, domain names, display name) for a spec; clear errors when absent."""
    text = spec.strip()
    named = named_set(text)
    if named:
        folder, domains = named.folder, named.domains
        base = data_root(root) / folder
        a, b = base / f"{split}A", base / f"{split}B"
        if not (a.is_dir() and b.is_dir()):
            raise DataUnavailable(
                f"{text}: expected folders {split}A/ and {split}B/ under {base}. Point --data-root (or the "
                f"GANLAB_DATA environment variable) at the folder that holds {folder}/"
            )
        return a, b, domains, named.display
    if not text.lower().startswith(UNPAIRED_PREFIX):
        raise GanLabError(f"unknown unpaired data set {spec!r}: use unpaired:DIR_A,DIR_B or {DEFAULT_SET}")
    body = text.split(":", 1)[1]
    parts = body.split(",")
    if len(parts) < 2:
        raise GanLabError("unpaired: give two folders or zips separated by a comma, e.g. unpaired:photos,paintings")
    # a path may itself contain commas: take the first split where both sides exist
    candidates = [(",".join(parts[:i]).strip(), ",".join(parts[i:]).strip()) for i in range(1, len(parts))]
    for left, right in candidates:
        if Path(left).expanduser().exists() and Path(right).expanduser().exists():
            pa, pb = Path(left).expanduser(), Path(right).expanduser()
            return pa, pb, (_domain_name(pa), _domain_name(pb)), f"unpaired:{pa.name},{pb.name}"
    left, right = candidates[0]
    missing = [p for p in (left, right) if not Path(p).expanduser().exists()]
    raise GanLabError(f"unpaired: not found: {', '.join(missing) or body}")


def _domain_name(path: Path) -> str:
    return path.stem if path.suffix.lower() == ".zip" else path.name


def load_domain(path: Path, load_size: int, max_images: int | None = None, workers: int | None = None) -> Tensor:
    """One folder/zip -> uint8 (N, 3, load_size, load_size); unreadable files are skipped."""
    files = list(_iter_files(path))
    if len(files) > limits.get("images"):
        raise GanLabError(
            f"{path.name}: more than {limits.get('images'):,} images; use a smaller set (GANLAB_MAX_IMAGES)"
        )
    if max_images and len(files) > max_images:  # an even spread, not just the first (often oldest) files
        keep = np.linspace(0, len(files) - 1, max_images).round().astype(int)
        files = [files[i] for i in keep]

    def decode(item: tuple[str, bytes | GanLabError]) -> np.ndarray | None:
        if isinstance(item[1], GanLabError):  # unreadable or over a cap: skipped like a bad image
            return None
        try:
            return _decode(item[1], item[0], "RGB", load_size)
        except GanLabError:
            return None

    workers = workers or min(8, os.cpu_count() or 1)
    with ThreadPoolExecutor(max_workers=workers) as pool:  # Pillow decodes without the GIL
        arrays = [a for a in pool.map(decode, files) if a is not None]
    if not arrays:
        raise GanLabError(f"{path.name}: no readable images found")
    return torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()


def load_unpaired(
    spec: str,
    data_root: str | None = None,
    load_size: int = 286,
    crop: int = 256,
    max_images: int | None = None,
    flip: bool = True,
    split: str = "train",
) -> UnpairedImages:
    """Load both domains of ``spec`` onto the CPU (move with ``.to(device)``)."""
    if not 8 <= crop <= load_size:
        raise GanLabError(f"crop must be between 8 and load_size ({load_size}); got {crop}")
    path_a, path_b, domains, name = resolve_spec(spec, data_root, split)
    a = load_domain(path_a, load_size, max_images)
    b = load_domain(path_b, load_size, max_images)
    description = (
        f"{name}: {a.shape[0]} {domains[0]} / {b.shape[0]} {domains[1]} images, "
        f"loaded at {load_size} px, random {crop} px crops{' + flips' if flip else ''}"
    )
    return UnpairedImages(name=name, a=a, b=b, crop=crop, domains=domains, flip=flip, description=description)
