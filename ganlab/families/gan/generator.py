"""The GAN family's generators (MLP and DCGAN) behind the generator protocol.

A plain GAN's only latent is z, so truncation pulls z toward 0, and a class
blend mixes the DCGAN's class embeddings (the only place that knows where
they are). Principal directions come from the activations after G's first
nonlinearity, as GANSpace does for generators without a W space.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ganlab.inference.protocol import Latents, LatentSpec

ARCHS = ("mlp-g", "dcgan-g")


class _Stop(Exception):
    """Raised by the feature hook to end G's forward pass early."""


class GANGenerator:
    """A trained MLP or DCGAN generator as a :class:`~ganlab.inference.protocol.LatentGenerator`."""

    def __init__(self, module: nn.Module, noise: str = "normal") -> None:
        self.module = module
        self.latent = LatentSpec(z_dim=int(module.z_dim), noise=noise, num_classes=int(module.num_classes))
        self.device = next(module.parameters()).device

    def latents(
        self, z: Tensor, labels: Tensor | None = None, class_weights: Tensor | None = None, psi: float = 1.0
    ) -> Latents:
        return Latents(z=z * psi, labels=labels, class_weights=class_weights)

    def _labels(self, latents: Latents) -> Tensor | None:
        if not self.latent.num_classes:
            return None
        if latents.class_weights is not None:  # an architecture that cannot blend: nearest class
            return latents.class_weights.argmax(dim=1).to(self.device)
        if latents.labels is None:
            return torch.zeros(len(latents), dtype=torch.long, device=self.device)
        return latents.labels.to(self.device)

    @torch.no_grad()
    def synthesize(self, latents: Latents, noise_seed: int | None = None) -> Tensor:
        z = latents.z.to(self.device)
        blend = getattr(self.module, "forward_blended", None)
        if self.latent.num_classes and latents.class_weights is not None and blend is not None:
            return blend(z, latents.class_weights.to(self.device)).float().cpu()
        return self.module(z, self._labels(latents)).float().cpu()

    @torch.no_grad()
    def features(self, latents: Latents) -> Tensor | None:
        act = next((m for m in self.module.modules() if isinstance(m, (nn.ReLU, nn.LeakyReLU, nn.GELU, nn.SiLU))), None)
        if act is None:
            return None
        captured: list[Tensor] = []

        def hook(_module, _inputs, out):
            captured.append(out.detach().clone())
            raise _Stop  # the rest of G is not needed: skip it

        handle = act.register_forward_hook(hook)
        try:
            self.module(latents.z.to(self.device), self._labels(latents))
        except _Stop:
            pass
        finally:
            handle.remove()
        return captured[0].flatten(1).float() if captured else None


def adapt(module: nn.Module, noise: str = "normal") -> GANGenerator | None:
    """The adapter for this family's generator modules (None for anything else)."""
    return GANGenerator(module, noise) if getattr(module, "arch", None) in ARCHS else None
