"""Directions and paths in W, for style-based generators (``gen.latent.has_w``). Pure torch; a
generator is reached only through :mod:`ganlab.inference.protocol`.

Why W and not z: the mapping network has already unwarped the prior, so straight lines in W
change the picture evenly (a short perceptual path length, Karras et al. 2019), and PCA of w
finds meaningful axes directly, with no regression back to z (Härkönen et al. 2020, GANSpace).
SeFa (Shen & Zhou 2021) needs no samples at all: it reads the directions the first style
layer's affine weights amplify most. Both bases come back as :class:`latent.Directions` with
``vectors`` (k, w_dim) in W and ``scales`` the standard deviation of sampled w along each, so a
slider at 1 means one sigma whichever basis is chosen. Offsets move every layer's w alike.
"""

from __future__ import annotations

from dataclasses import replace

import torch
from torch import Tensor

from ganlab.errors import GanLabError
from ganlab.inference.latent import Directions, _orthonormal_rows, _top_components
from ganlab.inference.protocol import LatentGenerator, Latents, sample_latents

BASES = {"ganspace": "GANSpace (PCA in W)", "sefa": "SeFa (closed form)"}
SAMPLES = 2048  # w drawn for PCA and for measuring sigma along a direction


def _require_w(gen: LatentGenerator, what: str) -> None:
    if not gen.latent.has_w:
        raise GanLabError(f"{what} needs a style-based generator with a W space; this one has only z")


@torch.no_grad()
def w_samples(gen: LatentGenerator, n: int = SAMPLES, seed: int = 0) -> Tensor:
    """Untruncated w (n, w_dim) of ``n`` seeded codes, every class alike for a conditional model
    (so the directions do not change with the class shown)."""
    _require_w(gen, "sampling W")
    classes = gen.latent.num_classes
    labels = torch.arange(n) % classes if classes else None
    return gen.features(sample_latents(gen, seed, n, labels=labels)).double().cpu()


def _sigmas(w: Tensor, vectors: Tensor) -> Tensor:
    """Standard deviation of the samples along each unit direction."""
    return ((w - w.mean(0)) @ vectors.double().T).std(0)


def ganspace_w(gen: LatentGenerator, k: int = 5, n: int = SAMPLES, seed: int = 0) -> Directions:
    """The top-k principal axes of w over ``n`` samples."""
    w = w_samples(gen, n, seed)
    centred = w - w.mean(0)
    k = max(1, min(k, w.shape[1]))
    s, vh = _top_components(centred, k)
    vectors = _orthonormal_rows(vh[:k].double())
    explained = s[:k].double() ** 2 / centred.pow(2).sum().clamp_min(1e-12)
    return Directions(vectors.float(), _sigmas(w, vectors).float(), explained.float(), "w")


def sefa_w(gen: LatentGenerator, k: int = 5, n: int = SAMPLES, seed: int = 0) -> Directions:
    """SeFa's closed-form directions (``gen.sefa(k)``, the first style layer), with sigmas measured
    on sampled w; ``explained`` is each eigenvalue's share of the k returned."""
    _require_w(gen, "SeFa")
    closed_form = getattr(gen, "sefa", None)
    if closed_form is None:
        raise GanLabError("this style generator offers no closed-form (SeFa) directions; use GANSpace")
    vectors, values = closed_form(k)
    vectors, values = vectors.double().cpu(), values.double().cpu()
    explained = values / values.sum().clamp_min(1e-12)
    return Directions(vectors.float(), _sigmas(w_samples(gen, n, seed), vectors).float(), explained.float(), "sefa")


def directions_in_w(gen: LatentGenerator, basis: str, k: int = 5) -> Directions:
    """The named basis ("ganspace" or "sefa")."""
    if basis not in BASES:
        raise GanLabError(f"directions must be one of {', '.join(BASES)}, got {basis!r}")
    return ganspace_w(gen, k) if basis == "ganspace" else sefa_w(gen, k)


def truncated(
    gen: LatentGenerator,
    z: Tensor,
    labels: Tensor | None,
    psi: float,
    coarse_only: bool = False,
    class_weights: Tensor | None = None,
) -> Latents:
    """Latents truncated in W by ``psi``: on every layer, or on the coarse group only (pose and
    shape stay typical while the finer styles keep their variety)."""
    layers = gen.latent.layer_groups.get("coarse") if coarse_only else None
    if coarse_only and layers is None:
        raise GanLabError("this generator names no coarse layers; truncate all layers instead")
    if layers is None:
        return gen.latents(z, labels=labels, class_weights=class_weights, psi=psi)
    return gen.latents(z, labels=labels, class_weights=class_weights, psi=psi, truncate_layers=tuple(layers))


def shift_w(latents: Latents, vectors: Tensor, offsets: list[float], scales: Tensor) -> Latents:
    """w + sum_i offsets[i] * scales[i] * vectors[i], the same shift on every layer's w."""
    k = min(len(offsets), len(vectors))
    if not k or not any(offsets[:k]):
        return latents
    step = (torch.tensor(offsets[:k], dtype=torch.float32) * scales[:k].float()) @ vectors[:k].float()
    return replace(latents, w=latents.w + step.to(latents.w))


def _repeat(latents: Latents, n: int) -> Latents:
    """One latent point as ``n`` identical rows (w is replaced by the caller)."""

    def rep(t: Tensor | None) -> Tensor | None:
        return None if t is None else t.repeat(n, *([1] * (t.dim() - 1)))

    return replace(
        latents,
        z=rep(latents.z),
        labels=rep(latents.labels),
        class_weights=rep(latents.class_weights),
        w=rep(latents.w),
    )


def walk_w(latents: Latents, direction: Tensor, span: float = 3.0, steps: int = 9, scale: float = 1.0) -> Latents:
    """``steps`` points from w - span*scale*d to w + span*scale*d (one row of ``latents``)."""
    if steps < 2:
        raise ValueError("steps must be at least 2")
    out = _repeat(latents.take(0, 1), steps)
    alphas = torch.linspace(-span, span, steps)[:, None, None] * scale
    return replace(out, w=out.w + alphas * direction.reshape(1, 1, -1).to(out.w))


def lerp_w(a: Latents, b: Latents, frames: int) -> Latents:
    """A straight line in W from ``a`` to ``b`` (one row each), ``frames`` points inclusive. z and
    a class blend (``class_weights``) ride along the same line as a record; the synthesis reads w,
    so a conditional model's class moves through w itself."""
    if frames < 2:
        raise ValueError(f"frames must be at least 2, got {frames}")
    t = torch.linspace(0, 1, frames)

    def line(x: Tensor | None, y: Tensor | None) -> Tensor | None:
        if x is None or y is None:
            return None
        return x[:1] + (y[:1] - x[:1]) * t.reshape(-1, *([1] * (x.dim() - 1))).to(x)

    return Latents(z=line(a.z, b.z), class_weights=line(a.class_weights, b.class_weights), w=line(a.w, b.w))
