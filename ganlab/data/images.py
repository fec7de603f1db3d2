"""Image data sets as tensors in [-1, 1]: digits offline, torchvision sets, user folders/zips.

Every set is loaded once into one uint8 tensor and normalised once, so the
trainer samples batches with an index on the device. torchvision sets are
read from the data root (``--data-root`` or ``$GANLAB_DATA``) and downloaded
only when the user asks for it.
"""

from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F
from PIL import Image

from ganlab import limits
from ganlab.errors import DataUnavailable, GanLabError
from ganlab.data.decode import open_image, read_member
from ganlab.data.source import DataSource

IMAGE_SUFFIXES = {".png", ".jpg", ".jpeg", ".bmp", ".gif", ".webp", ".tif", ".tiff"}
MAX_IMAGES = limits.LIMITS["images"].default  # defaults only: the live caps are limits.get(...)

DIGIT_NAMES = [str(i) for i in range(10)]
FASHION_NAMES = [
    "T-shirt/top",
    "Trouser",
    "Pullover",
    "Dress",
    "Coat",
    "Sandal",
    "Shirt",
    "Sneaker",
    "Bag",
    "Ankle boot",
]
CIFAR_NAMES = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"]


def data_root(explicit: str | None = None) -> Path:
    """Where torchvision sets live: the explicit setting, ``$GANLAB_DATA``, or a user cache."""
    chosen = explicit or os.environ.get("GANLAB_DATA") or Path.home() / ".cache" / "ganlab" / "data"
    return Path(chosen).expanduser()


def to_unit_range(images: torch.Tensor, size: int | None) -> torch.Tensor:
    """uint8 (N, C, H, W) -> float in [-1, 1], resized to ``size`` when given."""
    x = images.float().div_(127.5).sub_(1.0)
    if size is not None and x.shape[-1] != size:
        x = F.interpolate(x, size=(size, size), mode="bilinear", align_corners=False, antialias=True)
        x = x.clamp_(-1, 1)
    return x


def digits(image_size: int | None = None) -> DataSource:
    """scikit-learn's 1,797 8x8 digits (ships with the package: works offline), upscaled to 16 px."""
    from sklearn.datasets import load_digits

    bunch = load_digits()
    images = torch.from_numpy((bunch.images / 16.0 * 255).round().astype(np.uint8))[:, None]
    return DataSource(
        name="digits",
        kind="image",
        shape=(1, image_size or 16, image_size or 16),
        description="scikit-learn digits: 1,797 handwritten digits, 8x8 upscaled",
        data=to_unit_range(images, image_size or 16),
        labels=torch.from_numpy(bunch.target.astype(np.int64)),
        class_names=DIGIT_NAMES,
    )


def _torchvision(
    name: str,
    cls_name: str,
    class_names: list[str],
    native: int,
    root: str | None,
    download: bool,
    image_size: int | None,
    train: bool,
) -> DataSource:
    import torchvision.datasets as tvd

    where = data_root(root)
    cls = getattr(tvd, cls_name)
    try:
        ds = cls(str(where), train=train, download=download)
    except RuntimeError as exc:
        if download:
            raise DataUnavailable(
                f"{cls_name} could not be downloaded to {where}: {exc}. "
                "Check the network connection, or place the files there by hand."
            ) from None
        raise DataUnavailable(
            f"{cls_name} is not under {where}. Point --data-root (or the GANLAB_DATA environment "
            f"variable) at the folder that holds {cls_name}/, or add --download to fetch it "
            "(needs internet)."
        ) from None
    except OSError as exc:  # URLError and friends: offline download
        raise DataUnavailable(
            f"{cls_name} could not be downloaded to {where} ({exc}). "
            "This machine looks offline: copy the data set there by hand, "
            "or use the offline 'digits' data set."
        ) from None
    data = torch.as_tensor(np.asarray(ds.data))
    data = data[:, None] if data.ndim == 3 else data.permute(0, 3, 1, 2)  # CIFAR is NHWC
    labels = torch.as_tensor(np.asarray(ds.targets), dtype=torch.int64)
    size = image_size or native
    return DataSource(
        name=name,
        kind="image",
        shape=(data.shape[1], size, size),
        description=f"{cls_name} {'train' if train else 'test'} split, {len(labels):,} images",
        data=to_unit_range(data, size),
        labels=labels,
        class_names=class_names,
    )


def mnist(root=None, download=False, image_size=None, train=True) -> DataSource:
    return _torchvision("mnist", "MNIST", DIGIT_NAMES, 28, root, download, image_size, train)


def fashion(root=None, download=False, image_size=None, train=True) -> DataSource:
    return _torchvision("fashion", "FashionMNIST", FASHION_NAMES, 28, root, download, image_size, train)


def cifar10(root=None, download=False, image_size=None, train=True) -> DataSource:
    return _torchvision("cifar10", "CIFAR10", CIFAR_NAMES, 32, root, download, image_size, train)


# -- user images --------------------------------------------------------------


def _decode(raw: bytes, label: str, mode: str, size: int) -> np.ndarray:
    """One image file -> uint8 array (size, size, C); raises GanLabError on anything odd."""
    img = open_image(raw, label, draft=size * 2)  # size checked before decoding; 8-bit RGB or L
    try:
        frame = img.convert(mode)
        side = min(frame.size)  # centre crop to a square, then resize
        left, top = (frame.width - side) // 2, (frame.height - side) // 2
        frame = frame.crop((left, top, left + side, top + side)).resize((size, size), Image.BICUBIC)
        array = np.asarray(frame, dtype=np.uint8)
    except (OSError, ValueError) as exc:
        raise GanLabError(f"{label}: not a readable image ({type(exc).__name__})") from None
    return array[..., None] if array.ndim == 2 else array


def _iter_files(path: Path):
    """(label, bytes) for each image-named file of a folder or zip, without extracting anything.

    A file that cannot be read yields ``(label, GanLabError)`` so the caller can skip and count it.
    """
    max_images, file_cap = limits.get("images"), limits.get("image_file_bytes")
    if path.is_dir():
        files = sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES)
        for p in files[: max_images + 1]:
            if p.stat().st_size > file_cap:
                yield p.name, GanLabError(f"{p.name}: {limits.mb(p.stat().st_size)} is too large for an image")
            else:
                yield p.name, p.read_bytes()
        return
    upload_cap = limits.get("upload_bytes")
    if path.stat().st_size > upload_cap:
        raise GanLabError(
            f"{path.name}: {limits.mb(path.stat().st_size)} is over the {limits.mb(upload_cap)} upload limit"
        )
    if not zipfile.is_zipfile(path):
        raise GanLabError(f"{path.name}: not a folder or a zip archive of images")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise GanLabError(f"{path.name}: damaged zip archive ({type(exc).__name__})") from None
    with archive:
        members = [
            m
            for m in archive.infolist()
            if not m.is_dir()
            and Path(m.filename).suffix.lower() in IMAGE_SUFFIXES
            and not Path(m.filename).name.startswith(".")
        ]
        total, zip_cap = sum(m.file_size for m in members), limits.get("zip_bytes")
        if total > zip_cap:  # declared sizes: refused before anything is read
            raise GanLabError(
                f"{path.name}: unpacks to {limits.mb(total)}; at most {limits.mb(zip_cap)} "
                "are allowed (GANLAB_MAX_ZIP_BYTES)"
            )
        budget = zip_cap
        for member in members[: max_images + 1]:
            label = Path(member.filename).name  # never a path: nothing is extracted anywhere
            try:
                raw = read_member(archive, member, min(file_cap, budget))
            except GanLabError as exc:
                yield label, exc
                continue
            budget -= len(raw)
            yield label, raw


def image_folder(path: str | Path, image_size: int = 32, channels: int = 3) -> DataSource:
    """A user's folder or zip of images, centre-cropped and resized; gray (1) or RGB (3).

    Unreadable files are skipped and counted; a set with no readable image fails clearly.
    """
    path = Path(path)
    if not path.exists():
        raise GanLabError(f"image folder or zip not found: {path}")
    mode = "L" if channels == 1 else "RGB"
    max_images = limits.get("images")
    arrays, skipped = [], []
    for label, raw in _iter_files(path):
        if len(arrays) + len(skipped) >= max_images:
            raise GanLabError(f"{path.name}: more than {max_images:,} images; use a smaller set (GANLAB_MAX_IMAGES)")
        try:
            if isinstance(raw, GanLabError):
                raise raw
            arrays.append(_decode(raw, label, mode, image_size))
        except GanLabError as exc:
            skipped.append(str(exc))
    if not arrays:
        if not skipped:
            raise GanLabError(
                f"{path.name}: no readable images found: no image files (expected "
                f"{', '.join(sorted(s.lstrip('.') for s in IMAGE_SUFFIXES))})"
            )
        raise GanLabError(f"{path.name}: no readable images found ({len(skipped)} skipped, e.g. {skipped[0]})")
    stacked = torch.from_numpy(np.stack(arrays)).permute(0, 3, 1, 2).contiguous()
    note = f"; skipped {len(skipped)} unreadable" if skipped else ""
    return DataSource(
        name=f"folder:{path.name}",
        kind="image",
        shape=(channels, image_size, image_size),
        description=f"{len(arrays)} images from {path.name}{note}",
        data=to_unit_range(stacked, None),
        skipped=skipped,
    )
