"""StyleGAN building blocks: equalized learning rate, modulated convolution, AdaIN, noise, toRGB.

Equalized learning rate (Karras et al. 2018): weights are stored as N(0, 1) / lr_mul and scaled
at run time by ``lr_mul / sqrt(fan_in)``, so Adam's per-parameter steps are the same size for
every layer, and a layer with ``lr_mul = 0.01`` (the mapping network) learns 100x slower
without any optimizer parameter groups.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.nn.layers import randn_init

LRELU_GAIN = math.sqrt(2.0)  # keeps unit variance through a leaky ReLU (as StyleGAN does)


def lrelu(x: Tensor) -> Tensor:
    return F.leaky_relu(x, 0.2) * LRELU_GAIN


def normalize_2nd_moment(x: Tensor, eps: float = 1e-8) -> Tensor:
    """x / sqrt(mean(x^2)) per row: z (and a class embedding) on the unit-variance shell."""
    return x * (x.square().mean(dim=1, keepdim=True) + eps).rsqrt()


class EqualLinear(nn.Module):
    """y = x W^T * (lr_mul / sqrt(in)) + b * lr_mul; ``bias_init`` is the bias's starting value."""

    def __init__(self, in_dim: int, out_dim: int, bias_init: float = 0.0, lr_mul: float = 1.0) -> None:
        super().__init__()
        self.weight = nn.Parameter(randn_init(out_dim, in_dim, divisor=lr_mul))
        self.bias = nn.Parameter(torch.full((out_dim,), float(bias_init) / lr_mul))
        self.scale, self.lr_mul = lr_mul / math.sqrt(in_dim), lr_mul

    def effective_weight(self) -> Tensor:
        """The weight the layer multiplies by (what SeFa factorises)."""
        return self.weight * self.scale

    def forward(self, x: Tensor) -> Tensor:
        return F.linear(x, self.effective_weight(), self.bias * self.lr_mul)


class EqualConv2d(nn.Module):
    """A same-padded convolution with equalized learning rate (D's layers)."""

    def __init__(self, in_ch: int, out_ch: int, kernel: int, bias: bool = True) -> None:
        super().__init__()
        self.weight = nn.Parameter(randn_init(out_ch, in_ch, kernel, kernel))
        self.bias = nn.Parameter(torch.zeros(out_ch)) if bias else None
        self.scale, self.padding = 1 / math.sqrt(in_ch * kernel * kernel), kernel // 2

    def forward(self, x: Tensor) -> Tensor:
        return F.conv2d(x, self.weight * self.scale, self.bias, padding=self.padding)


def modulated_conv2d(x: Tensor, weight: Tensor, styles: Tensor, demodulate: bool = True, eps: float = 1e-8) -> Tensor:
    """StyleGAN2's modulated convolution, computed without per-sample weights.

    Mathematically w'_nkij = s_nj w_kij / sqrt(sum_ji (s_nj w_kij)^2): the style scales the input
    channels, demodulation rescales each output channel so a unit-variance input stays unit
    variance. Scaling the input and the output instead of the weight gives the same result with
    one ordinary batched convolution (fast on a CPU; Karras et al. 2020's ``fused_modconv=False``).
    x: (N, I, H, W), weight: (O, I, k, k) already scaled, styles: (N, I) -> (N, O, H, W).
    """
    out = F.conv2d(x * styles[:, :, None, None], weight, padding=weight.shape[-1] // 2)
    if not demodulate:
        return out
    # sum_ji (s_nj w_kij)^2 = sum_j s_nj^2 sum_i w_kij^2: one (N, I) x (I, O) product, no (N, O, I, k, k) tensor
    dcoefs = (styles.square() @ weight.square().sum(dim=(2, 3)).T + eps).rsqrt()  # (N, O)
    return out * dcoefs[:, :, None, None]


class NoiseInput(nn.Module):
    """Adds per-pixel noise scaled by a learned per-channel strength (starts at 0: no noise)."""

    def __init__(self, channels: int) -> None:
        super().__init__()
        self.strength = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor, noise: Tensor) -> Tensor:  # noise: (N, 1, H, W)
        return x + noise * self.strength[None, :, None, None]


class ModulatedLayer(nn.Module):
    """One style input (StyleGAN2): affine(w) -> modulated 3x3 conv (demodulated) -> noise -> bias, lrelu."""

    def __init__(self, in_ch: int, out_ch: int, w_dim: int, demodulate: bool = True) -> None:
        super().__init__()
        self.affine = EqualLinear(w_dim, in_ch, bias_init=1.0)  # styles start at 1: plain conv
        self.weight = nn.Parameter(randn_init(out_ch, in_ch, 3, 3))
        self.scale, self.demodulate = 1 / math.sqrt(in_ch * 9), demodulate
        self.noise = NoiseInput(out_ch)
        self.bias = nn.Parameter(torch.zeros(out_ch))

    def forward(self, x: Tensor, w: Tensor, noise: Tensor) -> Tensor:
        x = modulated_conv2d(x, self.weight * self.scale, self.affine(w), self.demodulate)  # (N, O, H, W)
        return lrelu(self.noise(x, noise) + self.bias[None, :, None, None])


class AdaINLayer(nn.Module):
    """One style input (StyleGAN1): 3x3 conv -> noise -> lrelu -> instance norm -> style scale and bias."""

    def __init__(self, in_ch: int, out_ch: int, w_dim: int) -> None:
        super().__init__()
        self.conv = EqualConv2d(in_ch, out_ch, 3)
        self.noise = NoiseInput(out_ch)
        self.affine = EqualLinear(w_dim, 2 * out_ch)
        with torch.no_grad():
            self.affine.bias[:out_ch] = 1.0  # scale starts at 1, bias at 0
        self.out_ch = out_ch

    def forward(self, x: Tensor, w: Tensor, noise: Tensor) -> Tensor:
        x = lrelu(self.noise(self.conv(x), noise))
        x = F.instance_norm(x)
        scale, shift = self.affine(w).split(self.out_ch, dim=1)  # (N, O) each
        return x * scale[:, :, None, None] + shift[:, :, None, None]


STYLE_LAYERS = {"modulated": ModulatedLayer, "adain": AdaINLayer}


class ToRGB(nn.Module):
    """A modulated 1x1 convolution without demodulation: features -> image channels (a skip output)."""

    def __init__(self, in_ch: int, channels: int, w_dim: int) -> None:
        super().__init__()
        self.affine = EqualLinear(w_dim, in_ch, bias_init=1.0)
        self.weight = nn.Parameter(randn_init(channels, in_ch, 1, 1))
        self.scale = 1 / math.sqrt(in_ch)
        self.bias = nn.Parameter(torch.zeros(channels))

    def forward(self, x: Tensor, w: Tensor) -> Tensor:
        out = modulated_conv2d(x, self.weight * self.scale, self.affine(w), demodulate=False)
        return out + self.bias[None, :, None, None]


def upsample(x: Tensor) -> Tensor:
    """2x bilinear upsampling (a cheap stand-in for StyleGAN2's FIR-filtered transposed conv)."""
    return F.interpolate(x, scale_factor=2, mode="bilinear", align_corners=False)


def minibatch_stddev(x: Tensor, group: int = 4) -> Tensor:
    """Append one feature map: the std of each feature across a group of samples, averaged
    (Karras et al. 2018); D can then see a batch that lacks variety. (N, C, H, W) -> (N, C+1, H, W)."""
    n, c, h, w = x.shape
    g = max(d for d in range(1, min(group, n) + 1) if n % d == 0)
    y = x.reshape(g, n // g, c, h, w)
    y = (y.var(dim=0, unbiased=False) + 1e-8).sqrt().mean(dim=(1, 2, 3))  # (N/g,)
    y = y.repeat(g).reshape(n, 1, 1, 1).expand(n, 1, h, w)
    return torch.cat([x, y], dim=1)
