"""Distribution metrics on feature vectors, as plain functions (numpy/torch, float64 inside).

- Fréchet distance (Heusel et al. 2017, "FID" when the features are Inception's).
- KID: unbiased MMD^2 with the cubic polynomial kernel, averaged over random
  subsets (Bińkowski et al. 2018).
- Inception-Score-style score from class posteriors (Salimans et al. 2016).
- Precision / recall of the generated distribution on k-NN manifolds
  (Kynkäänniemi et al. 2019).
- Class histogram: which classes a generator makes, and how evenly.

All of them take (N, F) feature tensors or (N, K) probabilities, so the same
code scores the small shipped classifier's features and Inception's.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np
import torch
from torch import Tensor


def _f64(x: Tensor | np.ndarray) -> np.ndarray:
    if isinstance(x, Tensor):
        x = x.detach().cpu().double().numpy()
    x = np.asarray(x, dtype=np.float64)
    if x.ndim == 1:
        x = x[:, None]
    return x


def _check(name: str, *arrays: np.ndarray, minimum: int = 2) -> None:
    for a in arrays:
        if a.shape[0] < minimum:
            raise ValueError(f"{name}: needs at least {minimum} samples per set, got {a.shape[0]}")
        if not np.isfinite(a).all():
            raise ValueError(f"{name}: features contain NaN or infinity")
    if len({a.shape[1] for a in arrays}) != 1:
        raise ValueError(f"{name}: feature sizes differ ({', '.join(str(a.shape[1]) for a in arrays)})")


def _sqrtm_psd(m: np.ndarray) -> np.ndarray:
    vals, vecs = np.linalg.eigh((m + m.T) / 2)
    return (vecs * np.sqrt(np.clip(vals, 0, None))) @ vecs.T


def frechet_distance_from_stats(mu1: np.ndarray, sigma1: np.ndarray, mu2: np.ndarray, sigma2: np.ndarray) -> float:
    """||mu1 - mu2||^2 + Tr(S1 + S2 - 2 (S1 S2)^(1/2)).

    Tr((S1 S2)^(1/2)) is computed as the sum of square roots of the
    eigenvalues of S1^(1/2) S2 S1^(1/2), a symmetric PSD matrix with the same
    spectrum; this avoids the complex round-off of ``scipy.linalg.sqrtm`` on
    the non-symmetric product.
    """
    mu1, mu2 = np.atleast_1d(mu1), np.atleast_1d(mu2)
    sigma1, sigma2 = np.atleast_2d(sigma1), np.atleast_2d(sigma2)
    root1 = _sqrtm_psd(sigma1)
    middle = root1 @ sigma2 @ root1
    tr_covmean = np.sqrt(np.clip(np.linalg.eigvalsh((middle + middle.T) / 2), 0, None)).sum()
    diff = mu1 - mu2
    return float(diff @ diff + np.trace(sigma1) + np.trace(sigma2) - 2 * tr_covmean)


def frechet_distance(feats_a: Tensor | np.ndarray, feats_b: Tensor | np.ndarray) -> float:
    """Fréchet distance between Gaussians fitted to two feature sets (N, F) and (M, F)."""
    a, b = _f64(feats_a), _f64(feats_b)
    _check("frechet_distance", a, b)
    return frechet_distance_from_stats(a.mean(0), np.cov(a, rowvar=False), b.mean(0), np.cov(b, rowvar=False))


def polynomial_kernel(x: np.ndarray, y: np.ndarray, degree: int = 3, coef: float = 1.0) -> np.ndarray:
    """k(x, y) = (x.y / d + coef)^degree, KID's kernel."""
    return (x @ y.T / x.shape[1] + coef) ** degree


def mmd2_unbiased(x: np.ndarray, y: np.ndarray) -> float:
    """Unbiased MMD^2 with the cubic polynomial kernel (diagonals left out of the within-set means)."""
    m, n = x.shape[0], y.shape[0]
    kxx, kyy, kxy = polynomial_kernel(x, x), polynomial_kernel(y, y), polynomial_kernel(x, y)
    within_x = (kxx.sum() - np.trace(kxx)) / (m * (m - 1))
    within_y = (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
    return float(within_x + within_y - 2 * kxy.mean())


def kid(
    feats_a: Tensor | np.ndarray,
    feats_b: Tensor | np.ndarray,
    subsets: int = 100,
    subset_size: int = 1000,
    seed: int = 0,
) -> tuple[float, float]:
    """Kernel Inception Distance: (mean, std) of unbiased MMD^2 over random subsets."""
    a, b = _f64(feats_a), _f64(feats_b)
    _check("kid", a, b)
    size = min(subset_size, a.shape[0], b.shape[0])
    rng = np.random.default_rng(seed)
    values = [
        mmd2_unbiased(a[rng.choice(a.shape[0], size, replace=False)], b[rng.choice(b.shape[0], size, replace=False)])
        for _ in range(subsets)
    ]
    return float(np.mean(values)), float(np.std(values))


def inception_score(probs: Tensor | np.ndarray, splits: int = 10) -> tuple[float, float]:
    """exp(E_x KL(p(y|x) || p(y))): high when each sample is confidently one class and all classes
    appear; (mean, std) over ``splits`` equal parts. Its maximum is the number of classes."""
    p = _f64(probs)
    if p.shape[0] < splits:
        splits = max(1, p.shape[0])
    eps = 1e-12
    scores = []
    for part in np.array_split(p, splits):
        marginal = part.mean(0, keepdims=True)
        kl = (part * (np.log(part + eps) - np.log(marginal + eps))).sum(1).mean()
        scores.append(math.exp(kl))
    return float(np.mean(scores)), float(np.std(scores))


def _kth_neighbour_radius(x: Tensor, k: int, chunk: int = 2048) -> Tensor:
    """Distance from each row to its k-th nearest other row."""
    radii = []
    for part in x.split(chunk):
        d = torch.cdist(part, x)
        radii.append(d.kthvalue(k + 1, dim=1).values)  # +1: the row itself is at distance 0
    return torch.cat(radii)


def _inside_any_ball(points: Tensor, centres: Tensor, radii: Tensor, chunk: int = 2048) -> Tensor:
    inside = []
    for part in points.split(chunk):
        inside.append((torch.cdist(part, centres) <= radii[None, :]).any(dim=1))
    return torch.cat(inside)


def precision_recall(real: Tensor | np.ndarray, fake: Tensor | np.ndarray, k: int = 3) -> tuple[float, float]:
    """Improved precision and recall (Kynkäänniemi et al. 2019).

    Each set's manifold is the union of balls reaching each sample's k-th
    nearest neighbour. Precision = share of fakes inside the real manifold
    (are samples realistic?); recall = share of reals inside the fake
    manifold (is the data's variety covered?). A collapsed generator keeps
    precision and loses recall.
    """
    r = torch.from_numpy(_f64(real))
    f = torch.from_numpy(_f64(fake))
    _check("precision_recall", r.numpy(), f.numpy(), minimum=k + 1)
    precision = _inside_any_ball(f, r, _kth_neighbour_radius(r, k)).double().mean()
    recall = _inside_any_ball(r, f, _kth_neighbour_radius(f, k)).double().mean()
    return float(precision), float(recall)


@dataclass(frozen=True)
class ClassHistogram:
    shares: list[float]  # share of samples predicted as each class
    classes_present: int  # classes with at least half their fair share (1 / 2K)
    classes_total: int
    kl_to_uniform: float  # KL(shares || uniform) in nats; 0 = perfectly even
    confidence: float  # mean max class probability

    def as_dict(self) -> dict:
        return asdict(self)


def class_histogram(probs: Tensor | np.ndarray) -> ClassHistogram:
    """Which classes the predictions fall in, and how evenly (from (N, K) probabilities)."""
    p = _f64(probs)
    k = p.shape[1]
    counts = np.bincount(p.argmax(1), minlength=k).astype(np.float64)
    shares = counts / max(counts.sum(), 1)
    nz = shares > 0
    kl = float((shares[nz] * np.log(shares[nz] * k)).sum())
    return ClassHistogram(
        [round(float(s), 4) for s in shares],
        int((shares >= 0.5 / k).sum()),
        k,
        kl,
        float(p.max(1).mean()) if len(p) else 0.0,
    )


def feature_metrics(
    real: Tensor,
    fake: Tensor,
    fake_probs: Tensor | None = None,
    k: int = 3,
    kid_subsets: int = 50,
    kid_subset_size: int = 1000,
) -> dict:
    """Every feature metric of ``fake`` against ``real`` as one JSON-friendly dict."""
    kid_mean, kid_std = kid(real, fake, kid_subsets, kid_subset_size)
    precision, recall = precision_recall(real, fake, k)
    out = {
        "fd": frechet_distance(real, fake),
        "kid": kid_mean,
        "kid_std": kid_std,
        "precision": precision,
        "recall": recall,
    }
    if fake_probs is not None:
        is_mean, is_std = inception_score(fake_probs)
        out.update(is_score=is_mean, is_std=is_std)
    return out
