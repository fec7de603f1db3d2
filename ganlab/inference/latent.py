"""Latent-space tools: interpolation, truncation, principal directions and walks. Pure torch;
a generator is reached only through :mod:`ganlab.inference.protocol`.

Conventions: a latent batch is (N, z_dim); a direction is a unit vector in
z space; ``t`` runs from 0 (endpoint a) to 1 (endpoint b).
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
from torch import Tensor, nn

from ganlab.inference.protocol import LatentGenerator, Latents, as_generator, z_from_seed


# -- interpolation ----------------------------------------------------------------


def lerp(a: Tensor, b: Tensor, t: Tensor | float) -> Tensor:
    """Straight line a -> b. For Gaussian z the midpoint's norm shrinks (by ~1/sqrt(2) for
    independent endpoints), into a region the generator rarely saw during training."""
    t = torch.as_tensor(t, dtype=a.dtype, device=a.device)
    return a + (b - a) * t


def slerp(a: Tensor, b: Tensor, t: Tensor | float, eps: float = 1e-7) -> Tensor:
    """Spherical interpolation: the direction moves along the great circle a -> b at constant angular
    speed, the norm moves linearly from |a| to |b|. High-dimensional Gaussian codes all have norm ~
    sqrt(z_dim), so every frame stays on the shell the generator was trained on (White 2016).
    Works row-wise on (..., z_dim); falls back to lerp for (anti)parallel endpoints."""
    t = torch.as_tensor(t, dtype=a.dtype, device=a.device)
    na, nb = a.norm(dim=-1, keepdim=True), b.norm(dim=-1, keepdim=True)
    ua, ub = a / na.clamp_min(eps), b / nb.clamp_min(eps)
    cos = (ua * ub).sum(-1, keepdim=True).clamp(-1, 1)
    omega = torch.arccos(cos)
    so = torch.sin(omega)
    safe = so.abs() > 1e-4
    so_safe = torch.where(safe, so, torch.ones_like(so))
    direction = (torch.sin((1 - t) * omega) * ua + torch.sin(t * omega) * ub) / so_safe
    direction = torch.where(safe, direction, lerp(ua, ub, t))
    direction = direction / direction.norm(dim=-1, keepdim=True).clamp_min(eps)
    return direction * lerp(na, nb, t)


INTERPOLATIONS = {"lerp": lerp, "slerp": slerp}


def interpolation_path(a: Tensor, b: Tensor, frames: int, method: str = "slerp") -> Tensor:
    """``frames`` codes from a to b inclusive: (frames, z_dim) for endpoints of shape (z_dim,) or (1, z_dim)."""
    if method not in INTERPOLATIONS:
        raise ValueError(f"method must be one of {', '.join(INTERPOLATIONS)}, got {method!r}")
    if frames < 2:
        raise ValueError(f"frames must be at least 2, got {frames}")
    a, b = a.reshape(1, -1), b.reshape(1, -1)
    t = torch.linspace(0, 1, frames, dtype=a.dtype, device=a.device)[:, None]
    return INTERPOLATIONS[method](a, b, t)


# -- truncation ---------------------------------------------------------------------


def truncate(z: Tensor, psi: float, mean: Tensor | None = None) -> Tensor:
    """The truncation trick as a pull toward the mean code: mean + psi (z - mean).
    psi = 1 leaves z alone; psi < 1 trades variety for typical, cleaner samples; psi = 0 gives the
    'average' image. ``mean`` defaults to 0, the mean of a centred prior."""
    if mean is None:
        return z * psi
    return mean + psi * (z - mean)


def truncated_normal(
    n: int, z_dim: int, threshold: float, generator: torch.Generator | None = None, max_rounds: int = 100
) -> Tensor:
    """BigGAN's truncation by resampling: entries with |z_i| > threshold are drawn again."""
    if threshold <= 0:
        raise ValueError("threshold must be positive")
    z = torch.randn(n, z_dim, generator=generator)
    for _ in range(max_rounds):
        bad = z.abs() > threshold
        if not bad.any():
            break
        z[bad] = torch.randn(int(bad.sum()), generator=generator)
    return z.clamp(-threshold, threshold)


# -- principal directions (GANSpace) --------------------------------------------------


@dataclass
class Directions:
    """Top principal directions of a generator's latent space.

    ``vectors`` (k, z_dim) are orthonormal directions in z; ``scales`` (k,) are the standard
    deviation of the samples' z along each direction (so a slider in units of sigma means the same
    for every direction); ``explained`` is each component's share of the feature variance.
    ``space`` says where the PCA was done: "features" (early G activations) or "z".
    """

    vectors: Tensor
    scales: Tensor
    explained: Tensor
    space: str

    def __len__(self) -> int:
        return int(self.vectors.shape[0])


def _orthonormal_rows(vectors: Tensor) -> Tensor:
    """Gram-Schmidt in order (QR), so direction 1 keeps its meaning and later ones are made orthogonal."""
    q, r = torch.linalg.qr(vectors.T)
    signs = torch.sign(torch.diagonal(r))
    signs[signs == 0] = 1
    return (q * signs).T


def _top_components(centred: Tensor, k: int) -> tuple[Tensor, Tensor]:
    """Top-k singular values and right singular vectors (k, F). Early DCGAN features have thousands
    of dimensions (e.g. 192x7x7), where a full SVD takes seconds; a randomized one (Halko et al.)
    with a fixed seed takes milliseconds and agrees on the leading components."""
    if min(centred.shape) <= 256:
        _, s, vh = torch.linalg.svd(centred, full_matrices=False)
        return s[:k], vh[:k]
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(0)
        _, s, v = torch.svd_lowrank(centred, q=min(k + 10, min(centred.shape)), niter=4)
    return s[:k], v.T[:k]


@torch.no_grad()
def principal_directions(
    g: "LatentGenerator | nn.Module",
    k: int = 5,
    n: int = 2048,
    space: str = "features",
    seed: int = 0,
    labels: Tensor | None = None,
    noise: str = "normal",
) -> Directions:
    """GANSpace-style directions (Härkönen et al. 2020).

    ``space="features"`` (default): PCA of G's early activations (after its first nonlinearity) over
    ``n`` sampled z, then each component is carried back to z by linear regression of z on the PCA
    coordinates, as GANSpace does for BigGAN, which has no w space; the regression directions are then
    orthonormalised in order. ``space="z"``: PCA of the sampled z themselves (for an isotropic prior
    these are nearly arbitrary; useful as a baseline). Falls back to "z" when G has no nonlinearity.
    """
    gen = as_generator(g, noise)
    z_dim, classes = gen.latent.z_dim, gen.latent.num_classes
    k = max(1, min(k, z_dim))
    z = z_from_seed(seed, z_dim, gen.latent.noise, n)
    if labels is None and classes:
        labels = torch.arange(n) % classes
    feats = gen.features(Latents(z=z, labels=labels)) if space == "features" else None
    z = z.double().cpu()
    if feats is None:
        space = "z"
        feats = z
    # float64 where it is cheap (z, small feature sets); float32 for wide early features
    feats = feats.cpu().double() if feats.shape[1] <= 256 else feats.cpu().float()
    centred = feats - feats.mean(0)
    s, vh = _top_components(centred, k)
    s, vh = s.double(), vh.double()
    k = min(k, vh.shape[0])
    explained = (s[:k] ** 2) / centred.double().pow(2).sum().clamp_min(1e-12)
    if space == "z":
        vectors = vh[:k]
    else:
        coords = (centred @ vh[:k].T.to(centred.dtype)).double()  # (n, k) PCA coordinates
        solution = torch.linalg.lstsq(coords, z - z.mean(0)).solution  # (k, z_dim): z ~ coords @ U
        vectors = solution / solution.norm(dim=1, keepdim=True).clamp_min(1e-12)
    vectors = _orthonormal_rows(vectors)
    scales = (z - z.mean(0)) @ vectors.T
    return Directions(vectors.float(), scales.std(0).float(), explained.float(), space)


# -- walks --------------------------------------------------------------------------


def apply_offsets(z: Tensor, directions: Tensor, offsets: Tensor | list[float], scales: Tensor | None = None) -> Tensor:
    """z + sum_i offsets[i] * scales[i] * directions[i]: slider positions in units of sigma."""
    offsets = torch.as_tensor(offsets, dtype=z.dtype, device=z.device)
    if scales is not None:
        offsets = offsets * scales[: len(offsets)].to(z)
    return z + offsets @ directions[: len(offsets)].to(z)


def walk(z: Tensor, direction: Tensor, k: float = 3.0, steps: int = 7, scale: float = 1.0) -> Tensor:
    """Codes from z - k*scale*d to z + k*scale*d in ``steps`` equal steps: (steps, z_dim)."""
    if steps < 2:
        raise ValueError("steps must be at least 2")
    alphas = torch.linspace(-k, k, steps, dtype=z.dtype, device=z.device)[:, None] * scale
    return z.reshape(1, -1) + alphas * direction.reshape(1, -1).to(z)
