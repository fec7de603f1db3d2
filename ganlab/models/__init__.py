"""Model families by architecture name, so a checkpoint can rebuild what it saved.

``ARCHITECTURES`` maps the name stored in ``model.json`` to its class;
:func:`build_pair` turns a TrainConfig and a data set into (G, D).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ..errors import CheckpointError
from .dcgan import DCGANDiscriminator, DCGANGenerator
from .mlp import MLPDiscriminator, MLPGenerator

ARCHITECTURES: dict[str, type[nn.Module]] = {
    cls.arch: cls for cls in (MLPGenerator, MLPDiscriminator, DCGANGenerator, DCGANDiscriminator)
}


def register(cls: type[nn.Module]) -> type[nn.Module]:
    """Add a model class (with an ``arch`` name and ``args`` dict) to the registry."""
    ARCHITECTURES[cls.arch] = cls
    return cls


def build(arch: str, args: dict[str, Any]) -> nn.Module:
    """Rebuild a model from its stored architecture name and arguments."""
    cls = ARCHITECTURES.get(arch)
    if cls is None:
        raise CheckpointError(f"unknown architecture {arch!r} (known: {', '.join(sorted(ARCHITECTURES))})")
    try:
        return cls(**args)
    except (TypeError, ValueError) as exc:
        raise CheckpointError(f"cannot build {arch} from its stored arguments: {exc}") from None


def family_for(model: str, data_kind: str) -> str:
    """``auto`` -> mlp for points, dcgan for images; an explicit mismatch is an error."""
    if model == "auto":
        return "mlp" if data_kind == "points" else "dcgan"
    if (model == "mlp") != (data_kind == "points"):
        from ..errors import ConfigError
        raise ConfigError(f"model: {model!r} does not fit {data_kind} data "
                          f"(use mlp for 2D points, dcgan for images)")
    return model


def build_pair(cfg, data) -> tuple[nn.Module, nn.Module]:
    """(G, D) for a validated TrainConfig and a DataSource."""
    family = family_for(cfg.model, data.kind)
    if family == "mlp":
        return (MLPGenerator(cfg.z_dim, cfg.width, cfg.depth, data.shape[0]),
                MLPDiscriminator(data.shape[0], cfg.width, cfg.depth, cfg.spectral_norm))
    channels, size, _ = data.shape
    classes = data.num_classes if cfg.conditional else 0
    if cfg.conditional and not classes:
        from ..errors import ConfigError
        raise ConfigError(f"conditional: data set {data.name!r} has no class labels")
    g = DCGANGenerator(cfg.z_dim, size, channels, cfg.width, cfg.norm, classes)
    d = DCGANDiscriminator(size, channels, cfg.width, cfg.norm, classes, cfg.conditioning, cfg.spectral_norm)
    return g, d


from . import cyclegan  # noqa: E402,F401  (registers the CycleGAN generator and PatchGAN)
