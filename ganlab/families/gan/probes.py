"""What the live 2D views need from the models, measured between training chunks.

GAN Lab shows four things at once for 2D data: real vs generated points,
D's decision surface, G's manifold (how G warps a grid of noise) and the
direction G wants each generated point to move. :func:`probe_points`
computes them as small CPU arrays; :mod:`ganlab.render.views` draws them. Models are
put in eval mode while probed, so a probe never advances spectral norm's
power iteration or batch-norm statistics: watching does not change training.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import Tensor, nn

SURFACE_RES = 48  # D is evaluated on a SURFACE_RES x SURFACE_RES grid
MANIFOLD_LINES = 17  # noise-grid lines per axis
ARROWS = 96  # generated points that get a gradient arrow


@dataclass(frozen=True)
class PointViews:
    """Everything a 2D view draws, as CPU numpy arrays in data coordinates."""

    extent: tuple[float, float, float, float]  # xmin, xmax, ymin, ymax
    real: np.ndarray  # (N, 2)
    fake: np.ndarray  # (M, 2)
    surface: np.ndarray  # (R, R) in [0, 1]: 1 = D says "real"; row 0 is the top (ymax)
    manifold: np.ndarray  # (L, L, 2): G applied to a lattice of noise (or a 2D slice of it)
    arrow_from: np.ndarray  # (A, 2) generated points
    arrow_dir: np.ndarray  # (A, 2) -dLoss_G/dx, the way G pushes each point
    surface_is_probability: bool  # False: a critic's raw score, min-max scaled for display
    lattice: np.ndarray | None = None  # (L, L, 2): the noise lattice itself (first two noise axes)
    fake_score: np.ndarray | None = None  # (M,) D's verdict on each generated point, on the surface's scale
    real_score: np.ndarray | None = None  # (N,) ... and on each real point (the overview colours them)


def view_extent(real: Tensor, margin: float = 0.25) -> tuple[float, float, float, float]:
    """A square window around the real data, fixed for a run so the views do not jump."""
    lo = real.min(dim=0).values
    hi = real.max(dim=0).values
    centre = (lo + hi) / 2
    half = float((hi - lo).max()) / 2 * (1 + margin) + 0.1
    cx, cy = float(centre[0]), float(centre[1])
    return (cx - half, cx + half, cy - half, cy + half)


class _EvalMode:
    """Temporarily put modules in eval mode (restored on exit)."""

    def __init__(self, *modules: nn.Module):
        self.modules = modules
        self.modes: list[bool] = []

    def __enter__(self):
        self.modes = [m.training for m in self.modules]
        for m in self.modules:
            m.eval()

    def __exit__(self, *exc):
        for m, mode in zip(self.modules, self.modes):
            m.train(mode)


def _noise_lattice(z_dim: int, noise: str, lines: int, device: torch.device) -> Tensor:
    """A (lines, lines, z_dim) lattice over the first two noise axes (others at 0)."""
    span = 1.0 if noise == "uniform" else 2.5
    axis = torch.linspace(-span, span, lines, device=device)
    gy, gx = torch.meshgrid(axis, axis, indexing="ij")
    z = torch.zeros(lines, lines, max(z_dim, 2), device=device)
    z[..., 0], z[..., 1] = gx, gy
    return z[..., :z_dim] if z_dim >= 2 else z[..., :1]


@torch.no_grad()
def _surface(
    d: nn.Module, extent, res: int, probabilities: bool, device, points: tuple[Tensor, ...] = ()
) -> tuple[np.ndarray, ...]:
    """D on a res x res grid over ``extent`` in [0, 1], then D on each of ``points`` on the same
    scale (a critic's raw scores are min-max scaled by the grid's range, points clipped to it)."""
    x0, x1, y0, y1 = extent
    xs = torch.linspace(x0, x1, res, device=device)
    ys = torch.linspace(y1, y0, res, device=device)  # top row first, like an image
    gy, gx = torch.meshgrid(ys, xs, indexing="ij")
    out = d(torch.stack([gx, gy], dim=-1).reshape(-1, 2)).float().reshape(res, res)
    scored = [d(p.to(device).float()).float().reshape(-1) for p in points]
    if probabilities:
        return tuple(torch.sigmoid(t).cpu().numpy() for t in (out, *scored))
    lo, span = out.min(), (out.max() - out.min()).clamp_min(1e-8)
    return tuple(((t - lo) / span).clamp(0, 1).cpu().numpy() for t in (out, *scored))


def probe_points(
    G: nn.Module,
    D: nn.Module,
    g_loss,
    fake: Tensor,
    real: np.ndarray,
    extent,
    z_dim: int,
    noise: str,
    probabilities: bool,
) -> PointViews:
    """Measure the 2D views; ``fake`` is G's output on the fixed noise batch (CPU)."""
    device = next(D.parameters()).device
    with _EvalMode(G, D):
        surface, fake_score, real_score = _surface(
            D, extent, SURFACE_RES, probabilities, device, (fake, torch.as_tensor(real))
        )
        with torch.no_grad():
            lattice = _noise_lattice(z_dim, noise, MANIFOLD_LINES, device)
            manifold = G(lattice.reshape(-1, lattice.shape[-1])).float()
            manifold = manifold.reshape(MANIFOLD_LINES, MANIFOLD_LINES, 2).cpu().numpy()
        pts = fake[:ARROWS].to(device).float().requires_grad_(True)
        with torch.enable_grad():
            loss = g_loss(D(pts).float())
            (grad,) = torch.autograd.grad(loss, pts)
    return PointViews(
        extent=tuple(float(v) for v in extent),
        real=real,
        fake=fake.numpy(),
        surface=surface,
        manifold=manifold,
        arrow_from=pts.detach().cpu().numpy(),
        arrow_dir=(-grad).cpu().numpy(),
        surface_is_probability=probabilities,
        fake_score=fake_score,
        real_score=real_score,
        lattice=_noise_lattice(2, noise, MANIFOLD_LINES, torch.device("cpu")).numpy(),
    )


@torch.no_grad()
def generate(G: nn.Module, z: Tensor, labels: Tensor | None = None) -> Tensor:
    """G's output on ``z`` in eval mode (float32, CPU): a probe's samples never touch training."""
    with _EvalMode(G):
        return G(z, labels).float().cpu()


def sample_diversity(samples: Tensor, reference: Tensor) -> float:
    """Spread of generated samples relative to real ones (1 = as varied; near 0 = all alike)."""
    spread = samples.flatten(1).float().std(dim=0).mean()
    ref = reference.flatten(1).float().std(dim=0).mean().clamp_min(1e-8)
    value = float(spread / ref)
    return value if np.isfinite(value) else 0.0


def image_scores(
    D: nn.Module, fake: Tensor, real: Tensor, fake_labels: Tensor | None, probabilities: bool
) -> tuple[np.ndarray | None, np.ndarray | None]:
    """D's verdict on each fixed sample and on each real thumbnail in [0, 1] (1 = "real"; a
    critic's scores min-max scaled together), for the overview's colouring. Real images have
    no labels here, so a class-conditional D scores only the fakes. Never raises: (None, None)."""
    try:
        device = next(D.parameters()).device
        with _EvalMode(D), torch.no_grad():
            labels = None if fake_labels is None else fake_labels[: len(fake)].to(device)
            out_fake = D(fake.to(device).float(), labels).float().reshape(-1)
            out_real = None if getattr(D, "num_classes", 0) else D(real.to(device).float()).float().reshape(-1)
    except Exception:  # an optional view: a family whose D wants more never breaks a snapshot
        return None, None
    if probabilities:
        return (
            torch.sigmoid(out_fake).cpu().numpy(),
            None if out_real is None else torch.sigmoid(out_real).cpu().numpy(),
        )
    both = out_fake if out_real is None else torch.cat([out_fake, out_real])
    lo, span = both.min(), (both.max() - both.min()).clamp_min(1e-8)
    scale = lambda t: None if t is None else ((t - lo) / span).cpu().numpy()  # noqa: E731
    return scale(out_fake), scale(out_real)
