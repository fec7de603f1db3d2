"""A small CNN per labelled data set: the offline feature extractor for FID/KID/IS-style scores.

The standard Inception network needs a 100 MB download and sees 28 px digits
through a 299 px lens; a three-layer CNN trained on the data set's own train
split is tiny (< 1 MB), works offline and knows what a "7" or a "sneaker"
looks like. Its penultimate activations are the features for the Fréchet
distance, KID and precision/recall; its softmax is the Inception-Score-style
class posterior. Scores are comparable only between runs that use the same
classifier, so every report prints real-vs-real figures beside them.

Shipped under ``pretrained/_classifiers/<dataset>/``: ``classifier.safetensors``
and ``classifier.json`` (deliberately not ``model.json``, so the checkpoint
catalog never lists a classifier as a generator).
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from safetensors.torch import load_file
from torch import Tensor, nn

from ganlab.errors import CheckpointError
from ganlab.paths import pretrained_dir

WEIGHTS, META = "classifier.safetensors", "classifier.json"
# The image size each set is classified at (the size its shipped generator makes).
# summer2winter: the season classifier (summer / winter photos), for the CycleGAN report
NATIVE_SIZE = {"digits": 16, "mnist": 28, "fashion": 28, "summer2winter": 64}


class SmallCNN(nn.Module):
    """(N, C, S, S) in [-1, 1] -> logits (N, classes); any S >= 8 (global average pooling)."""

    def __init__(self, channels: int = 1, classes: int = 10, width: int = 32, feature_dim: int = 128):
        super().__init__()
        self.args = dict(channels=channels, classes=classes, width=width, feature_dim=feature_dim)
        w = width
        self.body = nn.Sequential(
            nn.Conv2d(channels, w, 3, padding=1),
            nn.BatchNorm2d(w),
            nn.ReLU(True),  # (C,S,S) -> (w,S,S)
            nn.MaxPool2d(2),  # -> (w,S/2,S/2)
            nn.Conv2d(w, 2 * w, 3, padding=1),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(True),  # -> (2w,S/2,S/2)
            nn.MaxPool2d(2),  # -> (2w,S/4,S/4)
            nn.Conv2d(2 * w, 2 * w, 3, padding=1),
            nn.BatchNorm2d(2 * w),
            nn.ReLU(True),  # -> (2w,S/4,S/4)
            nn.AdaptiveAvgPool2d(1),
            nn.Flatten(),  # -> (2w,)
            nn.Linear(2 * w, feature_dim),
            nn.ReLU(True),  # -> (F,) the features
        )
        self.head = nn.Linear(feature_dim, classes)

    def forward(self, x: Tensor) -> Tensor:
        return self.head(self.body(x))


@dataclass
class Classifier:
    """A trained SmallCNN with the facts about it (data set, image size, accuracy)."""

    model: SmallCNN
    meta: dict[str, Any]

    @property
    def dataset(self) -> str:
        return self.meta["dataset"]

    @property
    def image_size(self) -> int:
        return int(self.meta["image_size"])

    @property
    def class_names(self) -> list[str]:
        return list(self.meta.get("class_names", []))

    @property
    def device(self) -> torch.device:
        return next(self.model.parameters()).device

    def to(self, device: str | torch.device) -> "Classifier":
        """A copy on ``device`` (the cached shipped classifier itself stays on the CPU)."""
        if torch.device(device) == self.device:
            return self
        return Classifier(copy.deepcopy(self.model).to(device), self.meta)

    def _prepare(self, images: Tensor) -> Tensor:
        """Any batch in [-1, 1] -> the classifier's channels and size, on its device."""
        x = images.detach().to(self.device, torch.float32)
        if x.ndim == 3:
            x = x[:, None]
        want = self.model.args["channels"]
        if x.shape[1] != want:
            x = x.mean(1, keepdim=True) if want == 1 else x.expand(-1, want, -1, -1)
        if x.shape[-1] != self.image_size or x.shape[-2] != self.image_size:
            x = F.interpolate(
                x, size=(self.image_size, self.image_size), mode="bilinear", align_corners=False, antialias=True
            )
        return x.clamp(-1, 1)

    @torch.no_grad()
    def _run(self, images: Tensor, batch: int = 1000) -> tuple[Tensor, Tensor]:
        feats, logits = [], []
        for chunk in images.split(batch):
            f = self.model.body(self._prepare(chunk))
            feats.append(f.float().cpu())
            logits.append(self.model.head(f).float().cpu())
        if not feats:
            dim = self.model.args["feature_dim"]
            return torch.empty(0, dim), torch.empty(0, self.model.args["classes"])
        return torch.cat(feats), torch.cat(logits)

    def features(self, images: Tensor) -> Tensor:
        """Penultimate activations (N, F) on the CPU: the space FD/KID/PR are measured in."""
        return self._run(images)[0]

    def logits(self, images: Tensor) -> Tensor:
        return self._run(images)[1]

    def probs(self, images: Tensor) -> Tensor:
        """Class posteriors (N, classes) on the CPU."""
        return self.logits(images).softmax(dim=1)

    def predict(self, images: Tensor) -> Tensor:
        """Predicted class ids (N,) as int64 on the CPU."""
        return self.logits(images).argmax(dim=1)

    def features_and_probs(self, images: Tensor) -> tuple[Tensor, Tensor]:
        """Both in one pass (what a report needs)."""
        feats, logits = self._run(images)
        return feats, logits.softmax(dim=1)


def classifier_dir(dataset: str) -> Path:
    return pretrained_dir() / "_classifiers" / dataset


def load_classifier(folder: str | Path, device: str | torch.device = "cpu") -> Classifier:
    """Read ``classifier.safetensors`` + ``classifier.json`` from ``folder``."""
    folder = Path(folder)
    try:
        meta = json.loads((folder / META).read_text(encoding="utf-8"))
        state = load_file(str(folder / WEIGHTS), device="cpu")
        model = SmallCNN(**meta["args"])
        model.load_state_dict(state)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise CheckpointError(f"{folder}: not a readable classifier ({exc})") from None
    return Classifier(model.eval().requires_grad_(False).to(device), meta)


@lru_cache(maxsize=8)
def _cached(folder: str) -> Classifier:
    return load_classifier(folder)


def classifier_for(dataset_name: str) -> Classifier | None:
    """The shipped classifier for a data set name (``mnist``, ``fashion``, ``digits``), or None."""
    from ganlab.data import canonical_name

    name = canonical_name(dataset_name or "")
    folder = classifier_dir(name)
    if not (folder / WEIGHTS).is_file() or not (folder / META).is_file():
        return None
    return _cached(str(folder.resolve()))
