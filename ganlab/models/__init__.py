"""Model families by architecture name, so a checkpoint can rebuild what it saved.

``ARCHITECTURES`` maps the name stored in ``model.json`` to its class;
:func:`build_pair` turns a TrainConfig and a data set into (G, D).
"""

from __future__ import annotations

from typing import Any

from torch import nn

from ..errors import CheckpointError
from .budget import check_budget
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
    """Rebuild a model from its stored architecture name and arguments.

    The arguments are untrusted (they come from a checkpoint's JSON): types, ranges and the
    estimated parameter count are checked before anything is allocated.
    """
    cls = ARCHITECTURES.get(arch) if isinstance(arch, str) else None
    if cls is None:
        raise CheckpointError(f"unknown architecture {str(arch)[:60]!r} (known: {', '.join(sorted(ARCHITECTURES))})")
    check_budget(cls, args)
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
    from ..errors import ConfigError

    family = family_for(cfg.model, data.kind)
    if family == "mlp":
        g_args = dict(z_dim=cfg.z_dim, width=cfg.width, depth=cfg.depth, out_dim=data.shape[0])
        d_args = dict(in_dim=data.shape[0], width=cfg.width, depth=cfg.depth, spectral_norm=cfg.spectral_norm)
        pair = (MLPGenerator, MLPDiscriminator)
    else:
        channels, size, _ = data.shape
        classes = data.num_classes if cfg.conditional else 0
        if cfg.conditional and not classes:
            raise ConfigError(f"conditional: data set {data.name!r} has no class labels")
        g_args = dict(z_dim=cfg.z_dim, image_size=size, channels=channels, width=cfg.width, norm=cfg.norm,
                      num_classes=classes)
        d_args = dict(image_size=size, channels=channels, width=cfg.width, norm=cfg.norm, num_classes=classes,
                      conditioning=cfg.conditioning, spectral_norm=cfg.spectral_norm)
        pair = (DCGANGenerator, DCGANDiscriminator)
    for cls, args in zip(pair, (g_args, d_args)):
        try:
            check_budget(cls, args)
        except CheckpointError as exc:
            raise ConfigError(f"width: {exc}") from None
    return pair[0](**g_args), pair[1](**d_args)


from . import cyclegan  # noqa: E402,F401  (registers the CycleGAN generator and PatchGAN)
