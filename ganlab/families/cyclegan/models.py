"""CycleGAN's ResNet generator and 70x70 PatchGAN discriminator (Zhu et al. 2017).

Written from the paper's appendix (the Johnson et al. style-transfer
network: c7s1-64, d128, d256, R256 x n, u128, u64, c7s1-3) and laid out so
that parameter names and shapes equal those of the official PyTorch release
(junyanz/pytorch-CycleGAN-and-pix2pix): every layer sits in one
``self.model = nn.Sequential(...)``, so keys read ``model.1.weight``,
``model.10.conv_block.1.weight`` and released ``*_net_G.pth`` files load
directly. Instance norm has no affine parameters and keeps no running
statistics, so every conv carries a bias (the official ``use_bias``).
"""

from __future__ import annotations

from torch import Tensor, nn

from ganlab.nn.layers import init_conv_normal
from ganlab.nn.registry import register


def _norm(channels: int) -> nn.Module:
    """Per-image statistics at train *and* test time, as in the paper's instance norm."""
    return nn.InstanceNorm2d(channels, affine=False, track_running_stats=False)


class ResnetBlock(nn.Module):
    """x + [reflect-pad, 3x3 conv, IN, ReLU, reflect-pad, 3x3 conv, IN](x)."""

    def __init__(self, dim: int):
        super().__init__()
        # indices 1 and 5 are the two convs, exactly as the official conv_block
        self.conv_block = nn.Sequential(
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3, bias=True),
            _norm(dim),
            nn.ReLU(True),
            nn.ReflectionPad2d(1),
            nn.Conv2d(dim, dim, 3, bias=True),
            _norm(dim),
        )

    def forward(self, x: Tensor) -> Tensor:
        return x + self.conv_block(x)


UPSAMPLERS = ("deconv", "resize")


def upsampler(in_ch: int, out_ch: int, how: str) -> list[nn.Module]:
    """(in_ch, H, W) -> (out_ch, 2H, 2W). ``deconv`` is the release's fractionally strided 3x3 conv
    (official ``.pth`` files need it); its stride-2 kernel overlaps unevenly, so every other output
    pixel sums a different number of taps: the checkerboard. ``resize`` is nearest 2x then a 3x3
    conv (Odena et al. 2016, "Deconvolution and Checkerboard Artifacts"): every output pixel sees
    the same taps, so a flat input stays flat. Same parameter count either way."""
    if how == "deconv":
        return [nn.ConvTranspose2d(in_ch, out_ch, 3, stride=2, padding=1, output_padding=1, bias=True)]
    return [nn.Upsample(scale_factor=2, mode="nearest"), nn.ReflectionPad2d(1), nn.Conv2d(in_ch, out_ch, 3, bias=True)]


@register
class ResnetGenerator(nn.Module):
    """Image (N, C, H, W) in [-1, 1] -> translated image, same size when H, W are multiples of 4.

    Fully convolutional: any size works; :mod:`ganlab.inference.translate` pads odd
    sizes to a multiple of 4 and crops back.
    """

    arch = "cyclegan-resnet"

    def __init__(
        self, in_channels: int = 3, out_channels: int = 3, ngf: int = 64, n_blocks: int = 9, upsample: str = "deconv"
    ):
        super().__init__()
        if ngf < 1 or n_blocks < 0:
            raise ValueError(f"ngf must be >= 1 and n_blocks >= 0; got ngf={ngf}, n_blocks={n_blocks}")
        if upsample not in UPSAMPLERS:
            raise ValueError(f"upsample must be one of {', '.join(UPSAMPLERS)}; got {upsample!r}")
        self.args = dict(in_channels=in_channels, out_channels=out_channels, ngf=ngf, n_blocks=n_blocks)
        if upsample != "deconv":  # the release's layout stays argument-for-argument what it always was
            self.args["upsample"] = upsample
        self.upsample = upsample
        self.ngf, self.n_blocks = ngf, n_blocks
        layers: list[nn.Module] = [
            nn.ReflectionPad2d(3),
            nn.Conv2d(in_channels, ngf, 7, bias=True),  # (C,H,W) -> (ngf,H,W)
            _norm(ngf),
            nn.ReLU(True),
        ]
        for mult in (1, 2):  # two stride-2 downsamplings: (ngf,H,W) -> (4ngf,H/4,W/4)
            layers += [
                nn.Conv2d(ngf * mult, ngf * mult * 2, 3, stride=2, padding=1, bias=True),
                _norm(ngf * mult * 2),
                nn.ReLU(True),
            ]
        layers += [ResnetBlock(ngf * 4) for _ in range(n_blocks)]
        for mult in (4, 2):  # two 2x upsamplings back up to (ngf,H,W)
            layers += [*upsampler(ngf * mult, ngf * mult // 2, upsample), _norm(ngf * mult // 2), nn.ReLU(True)]
        layers += [nn.ReflectionPad2d(3), nn.Conv2d(ngf, out_channels, 7), nn.Tanh()]
        self.model = nn.Sequential(*layers)
        init_conv_normal(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


@register
class PatchDiscriminator(nn.Module):
    """70x70 PatchGAN: image (N, C, H, W) -> a map of real/fake scores, one per overlapping patch.

    C64 (no norm) - C128 - C256 - C512 (stride 1) - 1 channel, 4x4 kernels,
    LeakyReLU 0.2; the official ``NLayerDiscriminator`` with ``n_layers=3``.
    """

    arch = "cyclegan-patch"

    def __init__(self, in_channels: int = 3, ndf: int = 64, n_layers: int = 3):
        super().__init__()
        if ndf < 1 or n_layers < 1:
            raise ValueError(f"ndf and n_layers must be >= 1; got ndf={ndf}, n_layers={n_layers}")
        self.args = dict(in_channels=in_channels, ndf=ndf, n_layers=n_layers)
        layers: list[nn.Module] = [nn.Conv2d(in_channels, ndf, 4, stride=2, padding=1), nn.LeakyReLU(0.2, True)]
        mult = 1
        for n in range(1, n_layers + 1):
            prev, mult = mult, min(2**n, 8)
            stride = 2 if n < n_layers else 1  # the last feature layer keeps the resolution
            layers += [
                nn.Conv2d(ndf * prev, ndf * mult, 4, stride=stride, padding=1, bias=True),
                _norm(ndf * mult),
                nn.LeakyReLU(0.2, True),
            ]
        layers += [nn.Conv2d(ndf * mult, 1, 4, stride=1, padding=1)]
        self.model = nn.Sequential(*layers)
        init_conv_normal(self)

    def forward(self, x: Tensor) -> Tensor:
        return self.model(x)


def count_parameters(module: nn.Module) -> int:
    return sum(p.numel() for p in module.parameters())
