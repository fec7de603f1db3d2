"""Train and held-out splits of the labelled image sets, the same for the classifier and the reports.

MNIST and Fashion-MNIST have official test splits. scikit-learn's digits has
none, so a fixed 20 % (seeded permutation) is held out; note that the
shipped ``digits`` generator trains on all 1,797 images, so its "test" split
is held out from the classifier only.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ganlab.data import canonical_name, images, load_dataset
from ganlab.data.source import DataSource
from ganlab.errors import GanLabError

DIGITS_TEST_SHARE = 0.2
DIGITS_SPLIT_SEED = 0
SPLIT_SETS = ("digits", "mnist", "fashion")


def _digits_split(size: int, train: bool) -> DataSource:
    full = images.digits(size)
    order = torch.randperm(len(full), generator=torch.Generator().manual_seed(DIGITS_SPLIT_SEED))
    n_test = int(round(len(full) * DIGITS_TEST_SHARE))
    index = order[n_test:] if train else order[:n_test]
    index = index.sort().values
    assert full.data is not None and full.labels is not None
    return DataSource(
        name="digits",
        kind="image",
        shape=full.shape,
        description=f"scikit-learn digits {'train' if train else 'test'} split ({len(index)} images)",
        data=full.data[index],
        labels=full.labels[index],
        class_names=full.class_names,
    )


def load_split(dataset: str, split: str, data_root: str | None = None, image_size: int | None = None) -> DataSource:
    """``split`` is "train" or "test"; raises DataUnavailable (with what to do) when files are missing."""
    name = canonical_name(dataset)
    if split not in ("train", "test"):
        raise GanLabError(f"split must be 'train' or 'test', got {split!r}")
    train = split == "train"
    if name == "digits":
        return _digits_split(image_size or 16, train)
    if name == "mnist":
        return images.mnist(data_root, False, image_size, train=train)
    if name == "fashion":
        return images.fashion(data_root, False, image_size, train=train)
    if train:
        return load_dataset(name, data_root, False, image_size)
    raise GanLabError(f"no held-out split is defined for data set {dataset!r}")


def subsample(data: Tensor, n: int, seed: int = 0) -> Tensor:
    """At most ``n`` rows, picked without replacement by a fixed seed (the same every run)."""
    if len(data) <= n:
        return data
    index = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:n]
    return data[index.sort().values]
