"""Health signals only a style-based generator has, beside the GAN family's checks.

Two parts of a StyleGAN can fail on their own while the losses look normal:

- **the mapping network collapses**: every z lands on nearly the same w, so every sample gets the
  same style and only the noise inputs still vary them. ``w_spread`` measures it on the fixed
  grid's z: the mean per-dimension spread of w across samples over w's overall scale (about 1 at
  a freshly initialised mapping, 0 when every z maps to one w);
- **noise overpowers the features**: a layer's learned noise strength grows past the size of the
  (demodulated, so about unit variance) features it is added to, and samples turn to static.

The job measures both at each snapshot (:func:`style_signals`) and the checks below read them
from ``HealthInput.extra``, like every other check: plain functions, conservative thresholds.
"""

from __future__ import annotations

from typing import Callable

import torch
from torch import Tensor

from ganlab.families.gan import health
from ganlab.families.gan.health import HealthInput, HealthWarning

COLLAPSED_SPREAD = 0.1  # w spread under this ...
SPREAD_FALL = 0.25  # ... and under this share of its peak: the mapping has collapsed
LOUD_NOISE = 1.5  # a noise strength this many feature standard deviations drowns the signal


def w_spread(w: Tensor) -> float:
    """Mean over w's dimensions of its std across samples, over w's RMS: scale-free, 0 if all equal."""
    w = w.detach().float()
    rms = w.square().mean().sqrt()
    return float(w.std(dim=0).mean() / (rms + 1e-8))


def loudest_noise(G) -> tuple[int, float]:
    """(style layer, its largest absolute per-channel noise strength) over the synthesis layers."""
    best = (0, 0.0)
    for i, layer in enumerate(G.synthesis.layers):
        strength = float(layer.noise.strength.detach().abs().max())
        if strength > best[1]:
            best = (i, strength)
    return best


@torch.no_grad()
def style_signals(G, fixed_z: Tensor, labels: Tensor | None) -> dict[str, float]:
    """What the StyleGAN checks read, measured on the training G and the fixed grid's z."""
    layer, strength = loudest_noise(G)
    return {"w_spread": w_spread(G.mapping(fixed_z, labels)), "noise_layer": layer, "noise_strength": strength}


def mapping_collapse(inp: HealthInput) -> HealthWarning | None:
    """The spread of w over the fixed z's fell to a sliver of its peak."""
    series = inp.extra.get("w_spread", ())
    if not series or series[-1][0] < health.WARMUP_STEPS:
        return None
    step, now = series[-1]
    peak = max(v for _, v in series)
    if now >= COLLAPSED_SPREAD or now >= SPREAD_FALL * peak:
        return None
    return HealthWarning(
        "mapping-collapse",
        "warning",
        "The mapping network has collapsed",
        f"every z now maps to nearly the same w (spread {now:.3f}, down from {peak:.2f}): "
        "the samples share one style and differ only by noise.",
        "lower both learning rates, keep style mixing on (probability 0.9), or restart with fewer mapping layers.",
    )


def noise_overpowers(inp: HealthInput) -> HealthWarning | None:
    """A layer's noise strength exceeds the features it perturbs."""
    latest = inp.extra.get("noise", ())
    if not latest:
        return None
    step, layer, strength = latest[-1]
    if step < health.WARMUP_STEPS or strength < LOUD_NOISE:
        return None
    return HealthWarning(
        "loud-noise",
        "warning",
        "Noise is drowning the features",
        f"style layer {layer}'s noise strength reached {strength:.2f}, larger than its "
        "features: the samples will look like static there.",
        "lower G's learning rate, or add R1 weight so D punishes the static.",
    )


CHECKS: list[Callable[[HealthInput], HealthWarning | None]] = [*health.CHECKS, mapping_collapse, noise_overpowers]
