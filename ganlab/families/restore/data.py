"""Clean images for restoration, held on the device; pairs are made from them per batch.

Any image set GAN Lab loads works: ``digits``, ``mnist``, ``fashion`` (train
splits), ``folder:PATH``/``zip:PATH``, and photo sets, where **both halves**
of ``summer2winter`` (trainA + trainB, never the test parts) or of
``unpaired:DIR_A,DIR_B`` are pooled, kept as uint8 at their load size and cut
into random crops (plus flips) for each batch. The last ``holdout`` images are
never sampled for training: they are the fixed validation batch.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import torch
from torch import Tensor

from ganlab.data.named import is_unpaired
from ganlab.errors import GanLabError

NATIVE_SIZE = {"digits": 16, "mnist": 28, "fashion": 28, "cifar10": 32}


@dataclass
class CleanImages:
    """Clean images (N, C, L, L): uint8 in [0, 255] (photos) or float in [0, 1] (image sets)."""

    name: str
    images: Tensor
    crop: int  # training size; == L for image sets
    holdout: int  # the last images, never trained on
    flip: bool = False
    description: str = ""

    @property
    def channels(self) -> int:
        return int(self.images.shape[1])

    @property
    def train_count(self) -> int:
        return int(self.images.shape[0]) - self.holdout

    def to(self, device: torch.device | str) -> "CleanImages":
        return replace(self, images=self.images.to(device))

    def sample(self, n: int, generator: torch.Generator) -> Tensor:
        """``n`` random training crops in [0, 1] on the generator's device."""
        return _unit(random_crops(self.images[: self.train_count], n, self.crop, self.flip, generator))

    def validation(self, n: int) -> Tensor:
        """The first ``n`` held-out images, centre-cropped, in [0, 1]: the same batch every time."""
        held = self.images[self.train_count :][:n]
        off = (held.shape[-1] - self.crop) // 2
        return _unit(held[..., off : off + self.crop, off : off + self.crop])

    def summary(self) -> dict:
        return {
            "name": self.name,
            "kind": "image",
            "shape": list(self.images.shape[1:]),
            "size": int(self.images.shape[0]),
            "crop": self.crop,
            "holdout": self.holdout,
            "flip": self.flip,
        }


def _unit(x: Tensor) -> Tensor:
    return x.float().div(255.0) if x.dtype == torch.uint8 else x


def random_crops(images: Tensor, n: int, crop: int, flip: bool, generator: torch.Generator) -> Tensor:
    """``n`` random images, each with its own crop offset (and flip), in one gather on the device."""
    device = generator.device
    count, channels, size, _ = images.shape
    index = torch.randint(0, count, (n,), generator=generator, device=device)
    span = torch.arange(crop, device=device)
    rows = torch.randint(0, size - crop + 1, (n, 1), generator=generator, device=device) + span
    left = torch.randint(0, size - crop + 1, (n, 1), generator=generator, device=device)
    cols = left + span
    if flip:
        mirrored = torch.rand(n, 1, generator=generator, device=device) < 0.5
        cols = torch.where(mirrored, left + crop - 1 - span, cols)
    chan = torch.arange(channels, device=device)
    return images[index[:, None, None, None], chan[None, :, None, None], rows[:, None, :, None], cols[:, None, None, :]]


def load_clean(
    dataset: str,
    data_root: str | None,
    image_size: int | None,
    load_size: int | None,
    max_images: int | None,
    holdout: int,
) -> CleanImages:
    """Load a data set's training images onto the CPU (``.to(device)`` moves them)."""
    if is_unpaired(dataset):
        return _photos(dataset, data_root, image_size or 96, load_size or 256, max_images, holdout)
    from ganlab.data import canonical_name, is_points_dataset
    from ganlab.metrics.splits import load_split

    name = canonical_name(dataset)
    if is_points_dataset(name):
        raise GanLabError(f"dataset: {dataset!r} is a set of 2D points; restoration needs images")
    size = image_size or NATIVE_SIZE.get(name, 64)
    source = load_split(name, "train", data_root, size)
    data = source.data.add(1).div(2).clamp(0, 1)
    if max_images:
        data = data[:max_images]
    _check_holdout(dataset, len(data), holdout)
    return CleanImages(
        name=source.name,
        images=data,
        crop=size,
        holdout=holdout,
        description=f"{source.description}; {holdout} held out for validation",
    )


def _photos(
    dataset: str, data_root: str | None, crop: int, load_size: int, max_images: int | None, holdout: int
) -> CleanImages:
    from ganlab.data.unpaired import load_unpaired

    photos = load_unpaired(dataset, data_root, max(load_size, crop), crop, max_images, flip=True, split="train")
    pooled = torch.cat([photos.a, photos.b])  # both halves: one set of clean photos
    _check_holdout(dataset, len(pooled), holdout)
    order = torch.randperm(len(pooled), generator=torch.Generator().manual_seed(0))  # mix the halves
    return CleanImages(
        name=photos.name,
        images=pooled[order],
        crop=crop,
        holdout=holdout,
        flip=True,
        description=f"{photos.name}: {len(pooled)} train photos (both halves) at "
        f"{photos.load_size} px, random {crop} px crops + flips; "
        f"{holdout} held out for validation",
    )


def _check_holdout(dataset: str, count: int, holdout: int) -> None:
    if count - holdout < 1:
        raise GanLabError(
            f"{dataset}: {count} images leave none to train on after holding out {holdout}; lower holdout or add images"
        )
