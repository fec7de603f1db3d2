"""The GAN family's networks for a config and a data set: an MLP pair for 2D points, a DCGAN pair
for images (optionally class-conditional)."""

from __future__ import annotations

from torch import nn

from ganlab.errors import CheckpointError, ConfigError
from ganlab.families.gan.dcgan import DCGANDiscriminator, DCGANGenerator
from ganlab.families.gan.mlp import MLPDiscriminator, MLPGenerator
from ganlab.nn.budget import check_budget
from ganlab.nn.registry import register

for _cls in (MLPGenerator, MLPDiscriminator, DCGANGenerator, DCGANDiscriminator):
    register(_cls)


def family_for(model: str, data_kind: str) -> str:
    """``auto`` -> mlp for points, dcgan for images; an explicit mismatch is an error."""
    if model == "auto":
        return "mlp" if data_kind == "points" else "dcgan"
    if (model == "mlp") != (data_kind == "points"):
        raise ConfigError(f"model: {model!r} does not fit {data_kind} data (use mlp for 2D points, dcgan for images)")
    return model


def build_pair(cfg, data) -> tuple[nn.Module, nn.Module]:
    """(G, D) for a validated TrainConfig and a DataSource."""
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
        g_args = dict(
            z_dim=cfg.z_dim, image_size=size, channels=channels, width=cfg.width, norm=cfg.norm, num_classes=classes
        )
        d_args = dict(
            image_size=size,
            channels=channels,
            width=cfg.width,
            norm=cfg.norm if cfg.d_norm is None else cfg.d_norm,
            num_classes=classes,
            conditioning=cfg.conditioning,
            spectral_norm=cfg.spectral_norm,
        )
        pair = (DCGANGenerator, DCGANDiscriminator)
    for cls, args in zip(pair, (g_args, d_args)):
        try:
            check_budget(cls, args)
        except CheckpointError as exc:
            raise ConfigError(f"width: {exc}") from None
    return pair[0](**g_args), pair[1](**d_args)
