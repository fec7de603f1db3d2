"""GAN Lab-style multilayer perceptrons for 2D points (0-5 hidden layers, width <= 256)."""

from __future__ import annotations

from torch import Tensor, nn

from ganlab.nn.layers import maybe_spectral_norm


def _stack(inputs: int, width: int, depth: int, outputs: int, act: nn.Module, sn: bool) -> nn.Sequential:
    layers: list[nn.Module] = []
    size = inputs
    for _ in range(depth):
        layers += [maybe_spectral_norm(nn.Linear(size, width), sn), act]
        size = width
    layers.append(maybe_spectral_norm(nn.Linear(size, outputs), sn))
    return nn.Sequential(*layers)


class MLPGenerator(nn.Module):
    """z (N, z_dim) -> point (N, 2); ReLU hidden layers as in GAN Lab."""

    arch = "mlp-g"

    def __init__(self, z_dim: int = 2, width: int = 128, depth: int = 3, out_dim: int = 2):
        super().__init__()
        self.args = dict(z_dim=z_dim, width=width, depth=depth, out_dim=out_dim)
        self.z_dim = z_dim
        self.num_classes = 0
        self.net = _stack(z_dim, width, depth, out_dim, nn.ReLU(), sn=False)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.net(z)


class MLPDiscriminator(nn.Module):
    """point (N, 2) -> logit (N,); LeakyReLU keeps gradients alive off the data."""

    arch = "mlp-d"

    def __init__(self, in_dim: int = 2, width: int = 128, depth: int = 3, spectral_norm: bool = False):
        super().__init__()
        self.args = dict(in_dim=in_dim, width=width, depth=depth, spectral_norm=spectral_norm)
        self.num_classes = 0
        self.net = _stack(in_dim, width, depth, 1, nn.LeakyReLU(0.2), sn=spectral_norm)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        return self.net(x).squeeze(1)


def features(d: MLPDiscriminator, x: Tensor) -> Tensor:
    """Penultimate activations (for visualisation)."""
    return d.net[:-1](x) if len(d.net) > 1 else x
