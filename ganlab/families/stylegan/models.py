"""A style-based generator small enough to train live on a CPU, and its residual discriminator.

G = mapping network (z [+ class] -> w, an MLP with lr_mul 0.01 and a tracked ``w_avg``) +
synthesis network (a learned constant, one style input per 3x3 layer, per-layer noise, toRGB
skip outputs summed with upsampling; Karras et al. 2019, 2020). Sizes follow the DCGAN's plan:
16/32/64 px start at 4x4, 28 px at 7x7. Layer ``i`` takes ``w[:, i]`` (W+); the toRGB of a
resolution shares the style of that resolution's last layer, so ``num_layers`` is
``1 + 2 * upsamplings`` (16 and 28 px: 5; 32: 7; 64: 9).
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.families.gan.dcgan import _plan
from ganlab.families.stylegan.layers import (
    STYLE_LAYERS,
    EqualConv2d,
    EqualLinear,
    ToRGB,
    lrelu,
    minibatch_stddev,
    normalize_2nd_moment,
    upsample,
)
from ganlab.nn.layers import randn_init
from ganlab.nn.registry import register

MAX_MAPPING_LAYERS = 8
MAPPING_LR_MUL = 0.01
W_AVG_DECAY = 0.995


def level_channels(width: int, ups: int) -> list[int]:
    """Feature channels per resolution, coarse to fine: 4x ``width`` at the coarse end, halving
    toward the image (``width`` at full size), as a DCGAN widens toward its start."""
    return [width * 2 ** min(ups - i, 2) for i in range(ups + 1)]


def layer_group(resolution: int, image_size: int) -> str:
    """coarse <= 8 px, middle 16 px, fine >= 32 px (StyleGAN's split). Images under 32 px have no
    32 px layer, so there the last resolution is fine, the one below middle, the rest coarse
    (16 px: 4 | 8 | 16; 28 px: 7 | 14 | 28): every group has layers to move."""
    if image_size >= 32:
        return "coarse" if resolution <= 8 else "middle" if resolution <= 16 else "fine"
    return "fine" if resolution == image_size else "middle" if 2 * resolution == image_size else "coarse"


class MappingNetwork(nn.Module):
    """z (N, z_dim) [+ class] -> w (N, w_dim): normalised z (and class embedding), then an MLP."""

    def __init__(self, z_dim: int, w_dim: int, layers: int, num_classes: int) -> None:
        super().__init__()
        self.num_classes = num_classes
        self.embed = EqualLinear(num_classes, w_dim) if num_classes else None  # one-hot -> embedding
        dims = [z_dim + (w_dim if num_classes else 0)] + [w_dim] * layers
        self.net = nn.ModuleList(EqualLinear(a, b, lr_mul=MAPPING_LR_MUL) for a, b in zip(dims, dims[1:]))
        self.register_buffer("w_avg", torch.zeros(w_dim))  # EMA of w over training: truncation's centre

    def forward(self, z: Tensor, labels: Tensor | None = None, class_weights: Tensor | None = None) -> Tensor:
        x = normalize_2nd_moment(z.float())
        if self.embed is not None:
            if class_weights is None:
                if labels is None:
                    raise ValueError("this generator is class-conditional: pass labels")
                class_weights = F.one_hot(labels, self.num_classes).float()
            x = torch.cat([x, normalize_2nd_moment(self.embed(class_weights.to(x)))], dim=1)
        for layer in self.net:
            x = lrelu(layer(x))
        return x

    @torch.no_grad()
    def track(self, w: Tensor) -> None:
        """Move ``w_avg`` toward this batch's mean w (decay 0.995, as StyleGAN2)."""
        self.w_avg.copy_(w.detach().float().mean(0).lerp(self.w_avg, W_AVG_DECAY))


class SynthesisNetwork(nn.Module):
    """W+ styles (N, num_layers, w_dim) and per-layer noise -> image (N, C, S, S)."""

    def __init__(self, w_dim: int, image_size: int, channels: int, width: int, style_block: str) -> None:
        super().__init__()
        start, ups = _plan(image_size)
        chs = level_channels(width, ups)
        block = STYLE_LAYERS[style_block]
        self.const = nn.Parameter(randn_init(1, chs[0], start, start))  # (1, ch0, s0, s0)
        layers, self.resolutions = [block(chs[0], chs[0], w_dim)], [start]
        for i in range(1, ups + 1):  # each level: upsample, two 3x3 style layers at 2x the size
            layers += [block(chs[i - 1], chs[i], w_dim), block(chs[i], chs[i], w_dim)]
            self.resolutions += [start * 2**i] * 2
        self.layers = nn.ModuleList(layers)
        self.torgb = nn.ModuleList(ToRGB(c, channels, w_dim) for c in chs)  # one skip output per level

    def forward(self, ws: Tensor, noise: list[Tensor]) -> Tensor:
        x = self.const.expand(ws.shape[0], -1, -1, -1)
        x = self.layers[0](x, ws[:, 0], noise[0])  # (N, ch0, s0, s0)
        rgb = self.torgb[0](x, ws[:, 0])  # (N, C, s0, s0)
        for level in range(1, len(self.torgb)):
            i = 2 * level - 1
            x = self.layers[i](upsample(x), ws[:, i], noise[i])  # (N, ch, 2s, 2s)
            x = self.layers[i + 1](x, ws[:, i + 1], noise[i + 1])
            rgb = upsample(rgb) + self.torgb[level](x, ws[:, i + 1])  # skip: sum of upsampled outputs
        return rgb


@register
class StyleGenerator(nn.Module):
    """z (N, z_dim) [+ label] -> image (N, C, S, S); ``mapping`` and ``synthesis`` also work alone."""

    arch = "stylegan-g"

    def __init__(
        self,
        z_dim: int = 64,
        w_dim: int = 64,
        image_size: int = 16,
        channels: int = 1,
        width: int = 32,
        mapping_layers: int = 4,
        style_block: str = "modulated",
        num_classes: int = 0,
    ) -> None:
        super().__init__()
        if not 1 <= mapping_layers <= MAX_MAPPING_LAYERS:
            raise ValueError(f"mapping_layers must be in [1, {MAX_MAPPING_LAYERS}]; got {mapping_layers}")
        if style_block not in STYLE_LAYERS:
            raise ValueError(f"style_block must be one of {', '.join(STYLE_LAYERS)}; got {style_block!r}")
        self.args = dict(
            z_dim=z_dim,
            w_dim=w_dim,
            image_size=image_size,
            channels=channels,
            width=width,
            mapping_layers=mapping_layers,
            style_block=style_block,
            num_classes=num_classes,
        )
        self.z_dim, self.w_dim, self.num_classes = z_dim, w_dim, num_classes
        self.image_size, self.channels = image_size, channels
        self.mapping = MappingNetwork(z_dim, w_dim, mapping_layers, num_classes)
        self.synthesis = SynthesisNetwork(w_dim, image_size, channels, width, style_block)

    @property
    def num_layers(self) -> int:
        return len(self.synthesis.layers)

    @property
    def layer_groups(self) -> dict[str, tuple[int, int]]:
        """name -> [start, end) of the style layers in it, coarse to fine."""
        groups: dict[str, tuple[int, int]] = {}
        for i, res in enumerate(self.synthesis.resolutions):
            name = layer_group(res, self.image_size)
            groups[name] = (groups.get(name, (i, i))[0], i + 1)
        return groups

    def make_noise(
        self, n: int, generator: torch.Generator | None = None, device: torch.device | None = None
    ) -> list[Tensor]:
        """Per-layer noise maps (N, 1, r, r), drawn from ``generator`` (on its device)."""
        device = generator.device if generator is not None else device
        return [torch.randn(n, 1, r, r, generator=generator, device=device) for r in self.synthesis.resolutions]

    def broadcast(self, w: Tensor) -> Tensor:
        """w (N, w_dim) -> W+ (N, num_layers, w_dim): the same style for every layer."""
        return w[:, None, :].expand(-1, self.num_layers, -1)

    def forward(self, z: Tensor, labels: Tensor | None = None, noise: list[Tensor] | None = None) -> Tensor:
        ws = self.broadcast(self.mapping(z, labels))
        return self.synthesis(ws, noise if noise is not None else self.make_noise(len(z), device=z.device))


class DBlock(nn.Module):
    """Residual D block: two 3x3 convs then 2x average pooling, plus a pooled 1x1 skip."""

    def __init__(self, in_ch: int, out_ch: int) -> None:
        super().__init__()
        self.conv1, self.conv2 = EqualConv2d(in_ch, in_ch, 3), EqualConv2d(in_ch, out_ch, 3)
        self.skip = EqualConv2d(in_ch, out_ch, 1, bias=False)

    def forward(self, x: Tensor) -> Tensor:  # (N, I, r, r) -> (N, O, r/2, r/2)
        y = F.avg_pool2d(lrelu(self.conv2(lrelu(self.conv1(x)))), 2)
        return (y + self.skip(F.avg_pool2d(x, 2))) / math.sqrt(2)


@register
class StyleDiscriminator(nn.Module):
    """image (N, C, S, S) [+ label] -> logit (N,): a small StyleGAN2-like residual D with
    minibatch stddev; conditional by projection (Miyato & Koyama 2018)."""

    arch = "stylegan-d"

    def __init__(
        self, image_size: int = 16, channels: int = 1, width: int = 32, num_classes: int = 0, mbstd_group: int = 4
    ) -> None:
        super().__init__()
        self.args = dict(
            image_size=image_size, channels=channels, width=width, num_classes=num_classes, mbstd_group=mbstd_group
        )
        self.num_classes, self.mbstd_group = num_classes, mbstd_group
        start, ups = _plan(image_size)
        chs = level_channels(width, ups)
        self.from_rgb = EqualConv2d(channels, chs[-1], 1)  # (C, S, S) -> (ch, S, S)
        self.blocks = nn.Sequential(*(DBlock(chs[i], chs[i - 1]) for i in range(ups, 0, -1)))
        self.conv = EqualConv2d(chs[0] + 1, chs[0], 3)  # after minibatch stddev, at s0
        self.fc = EqualLinear(chs[0] * start * start, chs[0])
        self.out = EqualLinear(chs[0], 1)
        self.embed = EqualLinear(num_classes, chs[0]) if num_classes else None

    def forward(self, x: Tensor, labels: Tensor | None = None) -> Tensor:
        h = self.blocks(lrelu(self.from_rgb(x)))  # (N, ch0, s0, s0)
        h = lrelu(self.conv(minibatch_stddev(h, self.mbstd_group)))
        h = lrelu(self.fc(h.flatten(1)))  # (N, ch0)
        out = self.out(h).squeeze(1)
        if self.embed is not None:
            if labels is None:
                raise ValueError("this discriminator is class-conditional: pass labels")
            proj = self.embed(F.one_hot(labels, self.num_classes).to(h))
            out = out + (proj * h).sum(dim=1) / math.sqrt(h.shape[1])
        return out
