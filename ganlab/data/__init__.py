"""Data sets by name: ``load_dataset("ring8")``, ``"digits"``, ``"mnist"``,
``"csv:points.csv"``, ``"folder:photos.zip"``.

Names map to loader functions in one registry; prefixes (``csv:``,
``folder:``) take a path. Everything returned is a :class:`DataSource`.
"""

from __future__ import annotations

from typing import Callable

from ganlab.errors import GanLabError
from ganlab.data import images, toy1d, toy2d
from ganlab.data.source import DataSource

IMAGE_SETS: dict[str, Callable[..., DataSource]] = {
    "digits": lambda root, download, size: images.digits(size),
    "mnist": lambda root, download, size: images.mnist(root, download, size),
    "fashion": lambda root, download, size: images.fashion(root, download, size),
    "cifar10": lambda root, download, size: images.cifar10(root, download, size),
}
ALIASES = {"fashion-mnist": "fashion", "fashionmnist": "fashion", "cifar": "cifar10", "cifar-10": "cifar10"}
PREFIXES = ("csv:", "folder:", "zip:")


def dataset_names() -> list[str]:
    """Every built-in name (the prefixed user sets are not listed)."""
    return list(toy2d.TOY2D) + list(toy1d.TOY1D) + list(IMAGE_SETS)


def is_known_dataset(name: str) -> bool:
    """A built-in name (or alias) or a prefixed user set: what :func:`load_dataset` can open."""
    name = canonical_name(name)
    return name in dataset_names() or any(name.lower().startswith(p) for p in PREFIXES)


def is_1d_dataset(name: str) -> bool:
    """A built-in 1D set (points with one coordinate)."""
    return canonical_name(name) in toy1d.TOY1D


def is_points_dataset(name: str) -> bool:
    name = canonical_name(name)
    return name in toy2d.TOY2D or name in toy1d.TOY1D or name.startswith("csv:")


def canonical_name(name: str) -> str:
    name = name.strip()
    lowered = name.lower()
    if any(lowered.startswith(p) for p in PREFIXES):
        return name
    return ALIASES.get(lowered, lowered)


def load_dataset(
    name: str, data_root: str | None = None, download: bool = False, image_size: int | None = None, channels: int = 3
) -> DataSource:
    """Load a data set by name onto the CPU; raise GanLabError with what to do if it can't."""
    name = canonical_name(name)
    if name in toy2d.TOY2D:
        return toy2d.TOY2D[name]()
    if name in toy1d.TOY1D:
        return toy1d.TOY1D[name]()
    if name in IMAGE_SETS:
        return IMAGE_SETS[name](data_root, download, image_size)
    prefix, _, path = name.partition(":")
    if prefix == "csv" and path:
        return toy2d.points_from_csv(path)
    if prefix in ("folder", "zip") and path:
        return images.image_folder(path, image_size or 32, channels)
    known = ", ".join(dataset_names())
    raise GanLabError(f"unknown data set {name!r}; choose one of {known}, csv:PATH or folder:PATH")


__all__ = ["DataSource", "load_dataset", "dataset_names", "is_known_dataset", "is_points_dataset", "canonical_name"]
