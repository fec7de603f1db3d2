"""The generator protocol: the one way Explore, Interpolate, ``sample`` and ``eval`` reach a generator.

A generator is a latent space plus a synthesis function. :class:`LatentSpec`
describes the space: the prior of z, the number of classes, and, for a
style-based generator, a W space with per-layer styles (``w_dim``,
``num_layers``, and named ``layer_groups`` such as coarse/middle/fine).
:class:`Latents` is a batch of points in it. A family adapts its modules to
:class:`LatentGenerator`; nothing here, or in the tabs, looks inside them.

Seeds mean the same on every machine: latents are drawn on the CPU from
``torch.Generator().manual_seed(seed)``. Truncation is a pull toward the
centre of the latent space the generator truncates in: toward 0 in z for a
plain generator, ``w_avg + psi (w - w_avg)`` in W for a style generator.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Mapping, Protocol, runtime_checkable

import torch
from torch import Tensor, nn

from ganlab.errors import CheckpointError


@dataclass(frozen=True)
class LatentSpec:
    """What a generator's latent space looks like (what sliders, seeds and classes can address)."""

    z_dim: int
    noise: str = "normal"  # the prior of z: "normal" or "uniform" on [-1, 1]
    num_classes: int = 0  # 0: unconditional
    w_dim: int | None = None  # a learned W space (style generators); None: z is the only latent
    num_layers: int = 1  # styles fed to the synthesis network (W+ has one w per layer)
    layer_groups: Mapping[str, tuple[int, int]] = field(default_factory=dict)  # name -> [start, end)

    @property
    def has_w(self) -> bool:
        """A W space: then ``latents(..., truncate_layers=(start, end))`` truncates only those
        layers, ``features`` is w (N, w_dim), and ``sefa(k)`` (if offered) gives closed-form
        directions in W, (k, w_dim) unit rows and their eigenvalues."""
        return self.w_dim is not None


@dataclass(frozen=True)
class Latents:
    """A batch of latent points: z always; labels or a blend of classes for a conditional
    generator; per-layer styles ``w`` (N, num_layers, w_dim) for a style generator."""

    z: Tensor  # (N, z_dim), on the CPU
    labels: Tensor | None = None  # (N,) class indices
    class_weights: Tensor | None = None  # (N, num_classes): a mix of class embeddings
    w: Tensor | None = None

    def __len__(self) -> int:
        return int(self.z.shape[0])

    def take(self, start: int, stop: int) -> "Latents":
        """Rows ``start:stop`` of every part (for synthesising in batches)."""
        cut = lambda t: None if t is None else t[start:stop]
        return replace(
            self, z=self.z[start:stop], labels=cut(self.labels), class_weights=cut(self.class_weights), w=cut(self.w)
        )


@runtime_checkable
class LatentGenerator(Protocol):
    """What every generator offers, whatever its family."""

    latent: LatentSpec
    device: torch.device

    def latents(
        self, z: Tensor, labels: Tensor | None = None, class_weights: Tensor | None = None, psi: float = 1.0
    ) -> Latents:
        """Latents for codes ``z`` (N, z_dim), truncated by ``psi`` in the space that truncates."""

    def synthesize(self, latents: Latents, noise_seed: int | None = None) -> Tensor:
        """Images (N, C, H, W) in [-1, 1] or points (N, 2): float32 on the CPU."""

    def features(self, latents: Latents) -> Tensor | None:
        """Early activations (N, F) for finding principal directions; None if there are none."""


def z_from_seed(seed: int, z_dim: int, noise: str = "normal", n: int = 1) -> Tensor:
    """The latent code(s) a seed stands for: the same on every machine (CPU generator)."""
    g = torch.Generator().manual_seed(int(seed))
    if noise == "uniform":
        return torch.rand(n, z_dim, generator=g) * 2 - 1
    return torch.randn(n, z_dim, generator=g)


def sample_latents(
    gen: LatentGenerator,
    seed: int,
    n: int = 1,
    psi: float = 1.0,
    labels: Tensor | None = None,
    class_weights: Tensor | None = None,
) -> Latents:
    """``n`` latents from one seed, truncated by ``psi``."""
    z = z_from_seed(seed, gen.latent.z_dim, gen.latent.noise, n)
    return gen.latents(z, labels=labels, class_weights=class_weights, psi=psi)


def as_generator(g: "LatentGenerator | nn.Module", noise: str = "normal") -> LatentGenerator:
    """A LatentGenerator as it is, or a family's module (e.g. a trainer's G) behind its adapter."""
    if isinstance(g, LatentGenerator):
        return g
    from ganlab.families import FAMILIES

    for family in FAMILIES.values():
        adapted = family.generator(g, noise) if family.generator else None
        if adapted is not None:
            return adapted
    raise CheckpointError(f"{getattr(g, 'arch', type(g).__name__)} is not a generator any family can sample")


def open_generator(spec: str | Path, device: str | torch.device = "cpu"):
    """(LatentGenerator, Checkpoint) from a shipped name, a run folder or a weights file."""
    from ganlab.engine.checkpoints import load_generator

    module, ckpt = load_generator(spec, device)
    return as_generator(module, (ckpt.meta.get("config") or {}).get("noise", "normal")), ckpt
