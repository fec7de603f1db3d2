"""What a training run samples from: a data set held as tensors on the device.

Two shapes cover every data set: a *distribution* sampled fresh each batch
(the synthetic 2D sets) and a fixed *tensor* sampled by index (points from a
CSV, every image set). Both live on the training device, so a step costs one
``randint`` and one gather, never a DataLoader round trip.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Callable

import numpy as np
import torch
from torch import Tensor

Sampler = Callable[[int, torch.Generator, torch.device], Tensor]


@dataclass
class DataSource:
    """A data set ready for training.

    ``kind`` is "points" (shape ``(2,)``, or ``(1,)`` for the 1D sets) or "image"
    (shape ``(C, H, W)``, values in [-1, 1]). ``modes``/``sigma`` are set for
    mixtures of Gaussians so the VEEGAN metrics can score samples. ``density``
    is the exact pdf where it is known (the 1D sets), so the optimal
    discriminator is drawn from the true p_data rather than an estimate.
    """

    name: str
    kind: str
    shape: tuple[int, ...]
    description: str = ""
    data: Tensor | None = None  # fixed examples (N, *shape)
    labels: Tensor | None = None  # (N,) int64 class ids, for labelled sets
    distribution: Sampler | None = None  # fresh samples per batch
    class_names: list[str] = field(default_factory=list)
    modes: Tensor | None = None  # (M, D) mixture centres
    sigma: float | None = None
    skipped: list[str] = field(default_factory=list)  # why each unreadable user file was left out
    density: Callable[[np.ndarray], np.ndarray] | None = None  # exact pdf, x (N,) -> p(x) (N,), 1D sets

    @property
    def num_classes(self) -> int:
        return len(self.class_names)

    @property
    def device(self) -> torch.device:
        return self.data.device if self.data is not None else torch.device("cpu")

    def __len__(self) -> int:
        return 0 if self.data is None else int(self.data.shape[0])

    def to(self, device: torch.device) -> "DataSource":
        """The same data set with its tensors on ``device``."""
        move = lambda t: None if t is None else t.to(device)
        return replace(self, data=move(self.data), labels=move(self.labels), modes=move(self.modes))

    def sample(self, n: int, generator: torch.Generator) -> tuple[Tensor, Tensor | None]:
        """``n`` examples (and their labels where the set has them) on the generator's device."""
        device = generator.device
        if self.distribution is not None:
            return self.distribution(n, generator, device), None
        assert self.data is not None
        index = torch.randint(0, self.data.shape[0], (n,), generator=generator, device=device)
        labels = None if self.labels is None else self.labels[index]
        return self.data[index], labels

    def summary(self) -> dict:
        """JSON-friendly facts for checkpoint metadata."""
        info = {
            "name": self.name,
            "kind": self.kind,
            "shape": list(self.shape),
            "size": len(self) or None,
            "class_names": self.class_names,
        }
        if self.modes is not None:
            info["modes"] = self.modes.tolist()
            info["sigma"] = self.sigma
        return info
