"""Restoration networks: pix2pix's U-Net and conditional PatchGAN, SRResNet x4.

All take and give images in [-1, 1] (the inpainting U-Net takes one more
channel: the mask, 1 = hole). Widths default small enough to train on a CPU;
the papers' sizes are ``ngf=64`` (pix2pix, Isola et al. 2017) and
``width=64, n_blocks=16`` (SRResNet, Ledig et al. 2017).
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.nn.layers import init_conv_normal
from ganlab.nn.registry import register


class _Down(nn.Sequential):
    def __init__(self, cin: int, cout: int, norm: bool):
        layers: list[nn.Module] = [nn.LeakyReLU(0.2), nn.Conv2d(cin, cout, 4, 2, 1)]
        if norm:
            layers.append(nn.InstanceNorm2d(cout, affine=True))
        super().__init__(*layers)


class _Up(nn.Sequential):
    def __init__(self, cin: int, cout: int, last: bool):
        layers: list[nn.Module] = [nn.ReLU(), nn.ConvTranspose2d(cin, cout, 4, 2, 1)]
        layers.append(nn.Tanh() if last else nn.InstanceNorm2d(cout, affine=True))
        super().__init__(*layers)


@register
class UNetGenerator(nn.Module):
    """pix2pix U-Net: ``depth`` stride-2 encoder steps, a mirrored decoder, and a skip
    connection (concatenation) from each encoder level to its decoder level.

    Any input size works: it is reflect-padded to a multiple of 2**depth and cropped back.
    The innermost and outermost layers have no norm, as in the release.
    """

    arch = "pix2pix-unet"

    def __init__(self, in_channels: int = 1, out_channels: int = 1, ngf: int = 16, depth: int = 4):
        super().__init__()
        if ngf < 1 or not 1 <= depth <= 8:
            raise ValueError(f"ngf must be >= 1 and depth in [1, 8]; got ngf={ngf}, depth={depth}")
        self.args = dict(in_channels=in_channels, out_channels=out_channels, ngf=ngf, depth=depth)
        widths = [ngf * min(2**i, 8) for i in range(depth)]  # encoder outputs: ngf, 2ngf, 4ngf, 8ngf...
        self.first = nn.Conv2d(in_channels, widths[0], 4, 2, 1)
        self.downs = nn.ModuleList(_Down(widths[i - 1], widths[i], norm=i < depth - 1) for i in range(1, depth))
        ups = []
        for i in reversed(range(1, depth)):  # innermost up has no skip input yet
            cin = widths[i] if i == depth - 1 else 2 * widths[i]
            ups.append(_Up(cin, widths[i - 1], last=False))
        self.ups = nn.ModuleList(ups)
        self.last = _Up(2 * widths[0] if depth > 1 else widths[0], out_channels, last=True)
        init_conv_normal(self)

    def forward(self, x: Tensor) -> Tensor:
        h, w = x.shape[-2:]
        m = 2 ** self.args["depth"]
        ph, pw = (-h) % m, (-w) % m
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > max(ph, pw) else "replicate")
        skips = [self.first(x)]
        for down in self.downs:
            skips.append(down(skips[-1]))
        y = skips.pop()
        for up in self.ups:
            y = torch.cat([up(y), skips.pop()], dim=1)
        return self.last(y)[..., :h, :w]


@register
class PatchGAN(nn.Module):
    """PatchGAN (C64-C128-C256..., 4x4 kernels, LeakyReLU 0.2): a map of real/fake logits,
    one per overlapping patch. ``cond_channels > 0`` makes it pix2pix's conditional D, which
    judges the pair (input, output) concatenated; 0 judges the image alone (SRGAN's D)."""

    arch = "patchgan"

    def __init__(self, in_channels: int = 1, cond_channels: int = 0, ndf: int = 32, n_layers: int = 3):
        super().__init__()
        if ndf < 1 or not 1 <= n_layers <= 6:
            raise ValueError(f"ndf must be >= 1 and n_layers in [1, 6]; got ndf={ndf}, n_layers={n_layers}")
        self.args = dict(in_channels=in_channels, cond_channels=cond_channels, ndf=ndf, n_layers=n_layers)
        layers: list[nn.Module] = [nn.Conv2d(in_channels + cond_channels, ndf, 4, 2, 1), nn.LeakyReLU(0.2)]
        mult = 1
        for n in range(1, n_layers + 1):
            prev, mult = mult, min(2**n, 8)
            stride = 2 if n < n_layers else 1
            layers += [
                nn.Conv2d(ndf * prev, ndf * mult, 4, stride, 1),
                nn.InstanceNorm2d(ndf * mult, affine=True),
                nn.LeakyReLU(0.2),
            ]
        layers.append(nn.Conv2d(ndf * mult, 1, 4, 1, 1))
        self.model = nn.Sequential(*layers)
        init_conv_normal(self)

    def forward(self, image: Tensor, condition: Tensor | None = None) -> Tensor:
        if self.args["cond_channels"]:
            if condition is None:
                raise ValueError("this PatchGAN is conditional: pass the input it should judge against")
            if condition.shape[-2:] != image.shape[-2:]:  # a low-res input is judged at full size
                condition = F.interpolate(condition, size=image.shape[-2:], mode="nearest")
            image = torch.cat([condition, image], dim=1)
        return self.model(image)


class _Residual(nn.Module):
    """x + conv(PReLU(conv(x))): SRResNet's block, without BatchNorm (as EDSR found better)."""

    def __init__(self, width: int):
        super().__init__()
        self.body = nn.Sequential(nn.Conv2d(width, width, 3, 1, 1), nn.PReLU(width), nn.Conv2d(width, width, 3, 1, 1))

    def forward(self, x: Tensor) -> Tensor:
        return x + self.body(x)


@register
class SRResNet(nn.Module):
    """SRResNet x4 (Ledig et al. 2017): a 9x9 head, ``n_blocks`` residual blocks with a long
    skip, two (conv, PixelShuffle x2, PReLU) upsampling stages, a 9x9 tail.

    ``bicubic_skip`` adds the bicubic upscale of the input to the output, so the network learns
    only the detail bicubic misses (as VDSR does): it starts at bicubic quality and trains far
    faster on a CPU. Low-res (N, C, h, w) -> (N, C, 4h, 4w), both in [-1, 1].
    """

    arch = "srresnet"

    def __init__(
        self, in_channels: int = 1, out_channels: int = 1, width: int = 32, n_blocks: int = 4, bicubic_skip: bool = True
    ):
        super().__init__()
        if width < 1 or n_blocks < 0:
            raise ValueError(f"width must be >= 1 and n_blocks >= 0; got width={width}, n_blocks={n_blocks}")
        self.args = dict(
            in_channels=in_channels,
            out_channels=out_channels,
            width=width,
            n_blocks=n_blocks,
            bicubic_skip=bicubic_skip,
        )
        self.head = nn.Sequential(nn.Conv2d(in_channels, width, 9, 1, 4), nn.PReLU(width))
        self.blocks = nn.Sequential(*[_Residual(width) for _ in range(n_blocks)], nn.Conv2d(width, width, 3, 1, 1))
        self.upsample = nn.Sequential(
            *[m for _ in range(2) for m in (nn.Conv2d(width, width * 4, 3, 1, 1), nn.PixelShuffle(2), nn.PReLU(width))]
        )
        self.tail = nn.Conv2d(width, out_channels, 9, 1, 4)
        if bicubic_skip:  # start as bicubic: the learned residual begins at zero
            nn.init.zeros_(self.tail.weight)
            nn.init.zeros_(self.tail.bias)

    def forward(self, x: Tensor) -> Tensor:
        features = self.head(x)
        y = self.tail(self.upsample(features + self.blocks(features)))
        if self.args["bicubic_skip"]:
            y = y + F.interpolate(x, scale_factor=4, mode="bicubic", align_corners=False)
        return y.clamp(-1, 1) if not self.training else y
