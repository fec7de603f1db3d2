"""Train and held-out splits of the labelled image sets, the same for the classifier and the reports.

MNIST and Fashion-MNIST have official test splits. scikit-learn's digits has
none, so a fixed 20 % (seeded permutation) is held out; note that the
shipped ``digits`` generator trains on all 1,797 images, so its "test" split
is held out from the classifier only. A named photo set (summer2winter) is
labelled by its domain: trainA/testA are class 0 (summer), trainB/testB class 1
(winter), which is what the season classifier learns and the CycleGAN report asks.
"""

from __future__ import annotations

import torch
from torch import Tensor

from ganlab.data import canonical_name, images, load_dataset
from ganlab.data.named import named_set
from ganlab.data.source import DataSource
from ganlab.errors import GanLabError

DIGITS_TEST_SHARE = 0.2
DIGITS_SPLIT_SEED = 0
SPLIT_SETS = ("digits", "mnist", "fashion", "summer2winter")


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


def domain_split(name: str, split: str, data_root: str | None, size: int) -> DataSource:
    """Both domains of a named photo set's split, labelled 0 (A) and 1 (B), at ``size`` px."""
    from ganlab.data.unpaired import load_domain, resolve_spec, to_float

    path_a, path_b, domains, display = resolve_spec(name, data_root, split)
    a, b = load_domain(path_a, size), load_domain(path_b, size)
    return DataSource(
        name=display,
        kind="image",
        shape=(3, size, size),
        description=f"{display} {split} split: {len(a)} {domains[0]} + {len(b)} {domains[1]} photos at {size} px",
        data=to_float(torch.cat([a, b])),
        labels=torch.cat([torch.zeros(len(a), dtype=torch.long), torch.ones(len(b), dtype=torch.long)]),
        class_names=list(domains),
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
    if named_set(name):
        return domain_split(name, split, data_root, image_size or 64)
    if train:
        return load_dataset(name, data_root, False, image_size)
    raise GanLabError(f"no held-out split is defined for data set {dataset!r}")


def subsample(data: Tensor, n: int, seed: int = 0) -> Tensor:
    """At most ``n`` rows, picked without replacement by a fixed seed (the same every run)."""
    if len(data) <= n:
        return data
    index = torch.randperm(len(data), generator=torch.Generator().manual_seed(seed))[:n]
    return data[index.sort().values]
