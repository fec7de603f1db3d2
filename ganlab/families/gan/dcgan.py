"""DCGAN generator and discriminator (Radford et al. 2016) for 16, 28, 32 and 64 px.

Both take an optional class label. G embeds it and concatenates it to z;
D either projects it onto its features (Miyato & Koyama 2018, "projection")
or sees it as one-hot planes beside the image ("concat").
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganlab.nn.layers import init_dcgan_weights, maybe_spectral_norm, norm2d, normal_init_


def _plan(image_size: int) -> tuple[int, int]:
    """(start size, number of 2x upsamplings): 28 starts at 7, the others at 4."""
    start = 7 if image_size == 28 else 4
    ups = int(round(math.log2(image_size / start)))
    if start * 2**ups != image_size:
        raise ValueError(f"image_size must be 16, 28, 32 or 64; got {image_size}")
    return start, ups


class DCGANGenerator(nn.Module):
    """z (N, z_dim) [+ label] -> image (N, C, S, S) in [-1, 1]."""

    arch = "dcgan-g"

    def __init__(
        self,
        z_dim: int = 64,
        image_size: int = 28,
        channels: int = 1,
        width: int = 64,
        norm: str = "batch",
        num_classes: int = 0,
    ):
        super().__init__()
        self.args = dict(
            z_dim=z_dim, image_size=image_size, channels=channels, width=width, norm=norm, num_classes=num_classes
        )
        self.z_dim, self.num_classes, self.image_size, self.channels = z_dim, num_classes, image_size, channels
        start, ups = _plan(image_size)
        embed_dim = 0
        if num_classes:
            embed_dim = min(z_dim, 50)
            self.embed = nn.Embedding(num_classes, embed_dim)
        ch = width * 2 ** (ups - 1)
        layers: list[nn.Module] = [
            nn.ConvTranspose2d(z_dim + embed_dim, ch, start, 1, 0, bias=False),  # (z,1,1) -> (ch,s0,s0)
            norm2d(norm, ch),
            nn.ReLU(True),
        ]
        for _ in range(ups - 1):
            layers += [
                nn.ConvTranspose2d(ch, ch // 2, 4, 2, 1, bias=False),  # (ch,s,s) -> (ch/2,2s,2s)
                norm2d(norm, ch // 2),
                nn.ReLU(True),
            ]
            ch //= 2
        layers += [nn.ConvTranspose2d(ch, channels, 4, 2, 1), nn.Tanh()]  # -> (C,S,S)
        self.net = nn.Sequential(*layers)
        init_dcgan_weights(self)

    def forward(self, z: Tensor, labels: Tensor | None = None) -> Tensor:
        if self.num_classes:
            if labels is None:
                raise ValueError("this generator is class-conditional: pass labels")
            z = torch.cat([z, self.embed(labels)], dim=1)
        return self.net(z[:, :, None, None])

    def forward_blended(self, z: Tensor, class_weights: Tensor) -> Tensor:
        """G(z) for a mix of classes: ``class_weights`` (N, classes) blends the class embeddings
        (interpolating from one class to another moves smoothly between them)."""
        emb = class_weights.to(self.embed.weight) @ self.embed.weight
        return self.net(torch.cat([z, emb], dim=1)[:, :, None, None])


class DCGANDiscriminator(nn.Module):
    """image (N, C, S, S) [+ label] -> logit (N,)."""

    arch = "dcgan-d"

    def __init__(
        self,
        image_size: int = 28,
        channels: int = 1,
        width: int = 64,
        norm: str = "batch",
        num_classes: int = 0,
        conditioning: str = "projection",
        spectral_norm: bool = False,
    ):
        super().__init__()
        self.args = dict(
            image_size=image_size,
            channels=channels,
            width=width,
            norm=norm,
            num_classes=num_classes,
            conditioning=conditioning,
            spectral_norm=spectral_norm,
        )
        self.num_classes, self.conditioning = num_classes, conditioning
        start, ups = _plan(image_size)
        sn = spectral_norm
        in_ch = channels + (num_classes if num_classes and conditioning == "concat" else 0)
        layers: list[nn.Module] = [
            maybe_spectral_norm(nn.Conv2d(in_ch, width, 4, 2, 1), sn),
            nn.LeakyReLU(0.2, True),
        ]  # (C,S,S) -> (w,S/2,S/2); no norm on input
        ch = width
        for _ in range(ups - 1):
            layers += [
                maybe_spectral_norm(nn.Conv2d(ch, ch * 2, 4, 2, 1, bias=norm == "none"), sn),
                norm2d(norm, ch * 2),
                nn.LeakyReLU(0.2, True),
            ]  # halve size, double channels
            ch *= 2
        self.body = nn.Sequential(*layers)
        self.head = maybe_spectral_norm(nn.Conv2d(ch, 1, start, 1, 0), sn)  # (ch,s0,s0) -> (1,1,1)
        if num_classes and conditioning == "projection":
            self.embed = maybe_spectral_norm(nn.Embedding(num_classes, ch), sn)
        init_dcgan_weights(self)
        if num_classes and conditioning == "projection":
            # small, like the other weights: an N(0, 1) projection would swamp the head at
            # the start and let D judge by label alone, collapsing G within each class
            embed = self.embed.parametrizations.weight.original if sn else self.embed.weight
            normal_init_(embed, 0.0, 0.02)

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        if self.num_classes:
            if labels is None:
                raise ValueError("this discriminator is class-conditional: pass labels")
            if self.conditioning == "concat":
                planes = nn.functional.one_hot(labels, self.num_classes).to(x.dtype)
                x = torch.cat([x, planes[:, :, None, None].expand(-1, -1, *x.shape[2:])], dim=1)
        h = self.body(x)
        out = self.head(h).flatten(1).squeeze(1)
        if self.num_classes and self.conditioning == "projection":
            out = out + (self.embed(labels) * h.mean(dim=(2, 3))).sum(dim=1)
        return out
