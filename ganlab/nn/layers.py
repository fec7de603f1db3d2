"""Small building blocks shared by the model families."""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor, nn
from torch.nn.utils.parametrizations import spectral_norm


def maybe_spectral_norm(layer: nn.Module, enabled: bool) -> nn.Module:
    """Wrap a conv/linear layer in spectral normalisation when asked (Miyato et al. 2018)."""
    return spectral_norm(layer) if enabled else layer


def norm2d(kind: str, channels: int) -> nn.Module:
    """Batch, instance (with affine, as DCGAN variants use) or no normalisation."""
    if kind == "batch":
        return nn.BatchNorm2d(channels)
    if kind == "instance":
        return nn.InstanceNorm2d(channels, affine=True)
    return nn.Identity()


def normal_init_(tensor: Tensor, mean: float, std: float) -> None:
    """``nn.init.normal_``, skipped on the meta device.

    The parameter budget (:mod:`ganlab.nn.budget`) builds every stored model there first, and
    ``normal_`` on a meta tensor imports ``torch._dynamo``: 2.5 s added to the app's start-up
    and to every CLI command that opens a checkpoint, for values nobody reads.
    """
    if not tensor.is_meta:
        nn.init.normal_(tensor, mean, std)


def randn_init(*shape: int, divisor: float = 1.0) -> Tensor:
    """``torch.randn(*shape) / divisor``, a new parameter's start; left empty on the meta device
    (see :func:`normal_init_`: there ``randn`` and ``/`` cost seconds of imports)."""
    empty = torch.empty(*shape)
    return empty if empty.is_meta else torch.randn(*shape) / divisor


def init_dcgan_weights(module: nn.Module) -> None:
    """N(0, 0.02) convs and N(1, 0.02) norm scales, as in Radford et al. and the PyTorch example."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
            weight = getattr(m, "parametrizations", None)
            target = m.parametrizations.weight.original if weight is not None else m.weight
            normal_init_(target, 0.0, 0.02)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, (nn.BatchNorm2d, nn.InstanceNorm2d)) and m.weight is not None:
            normal_init_(m.weight, 1.0, 0.02)
            nn.init.zeros_(m.bias)


def init_conv_normal(module: nn.Module, gain: float = 0.02) -> None:
    """N(0, gain) conv weights and zero biases: ``init_type='normal'`` of the CycleGAN/pix2pix release."""
    for m in module.modules():
        if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d)):
            normal_init_(m.weight, 0.0, gain)
            if m.bias is not None:
                nn.init.zeros_(m.bias)


@torch.no_grad()
def recalibrate_batchnorm(module: nn.Module, make_inputs: Callable[[], tuple], batches: int = 64) -> bool:
    """Re-estimate BatchNorm running statistics for the weights the module has now.

    An EMA generator carries running stats copied from the raw generator,
    which were measured with other weights; recomputing them (a cumulative
    average over ``batches`` forward passes) makes eval-mode samples match.
    Returns False when the module has no BatchNorm.
    """
    norms = [m for m in module.modules() if isinstance(m, nn.modules.batchnorm._BatchNorm)]
    if not norms:
        return False
    momenta = [m.momentum for m in norms]
    was_training = module.training
    for m in norms:
        m.reset_running_stats()
        m.momentum = None  # cumulative moving average
    module.train()
    for _ in range(batches):
        module(*make_inputs())
    for m, momentum in zip(norms, momenta):
        m.momentum = momentum
    module.train(was_training)
    return True
