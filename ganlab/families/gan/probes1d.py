"""The live 1D view: p_data, G's density, D(x) and the optimal D* on one grid, measured between chunks.

For a fixed G the best discriminator is D*(x) = p_data / (p_data + p_g)
(Goodfellow et al. 2014, proposition 1). With 1D data both densities are
curves, so the view shows D chasing D* while G moves p_g toward p_data, until
p_g = p_data and D* = 1/2 everywhere.

* p_data is the data set's exact pdf (``DataSource.density``); a set without
  one gets the KDE of its reference samples instead.
* p_g is a Gaussian KDE of ``DENSITY_SAMPLES`` outputs
  of the *training* G (not its EMA copy: D* is the optimum against the G that
  D is trained against) on noise drawn once per run from its own seed, so
  probing never touches the training RNG. The bandwidth is fixed per run at
  ``BANDWIDTH_SHARE`` of the view's width. Silverman's rule assumes one bump
  and oversmooths ``bimodal1d`` by a fifth of a mode's width (the KDE of
  4,096 *real* samples then misses p_data by 9 % in total variation and D*
  strays up to 0.2 from 1/2 for a perfect G); 1 % of the view keeps that under
  3 % on every built-in set, with sampling wiggles of a few hundredths.
* D(x) is a probability (sigmoid of the logit) for BCE objectives; a critic's
  raw score (WGAN, hinge, LSGAN) is min-max scaled to [0, 1] over the grid,
  like the 2D surface, and ``d_is_probability`` is False.

Models are probed in eval mode (see :mod:`ganlab.families.gan.probes`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.families.gan.probes import _EvalMode
from ganlab.metrics.density import gaussian_kde, optimal_discriminator

GRID = 256  # x positions the curves are evaluated at
DENSITY_SAMPLES = 4096  # G's samples behind the KDE
RUG = 256  # samples of each kind drawn as ticks under the axis
MARGIN = 0.25  # the view extends this share of the real data's range beyond it on each side
BANDWIDTH_SHARE = 0.01  # the KDE's kernel width, as a share of the view's width


@dataclass(frozen=True)
class Density1D:
    """Everything the 1D view draws, as CPU numpy arrays over one fixed grid."""

    xs: np.ndarray  # (K,) grid over the view, fixed for a run
    p_data: np.ndarray  # (K,) exact pdf of the data (or its KDE where the set has no pdf)
    p_g: np.ndarray  # (K,) Gaussian KDE of G's samples
    d_curve: np.ndarray  # (K,) D(x) in [0, 1]
    d_star: np.ndarray  # (K,) p_data / (p_data + p_g); 1/2 where both are ~0 (metrics.density)
    real: np.ndarray  # (R,) real samples (the rug)
    fake: np.ndarray  # (R,) generated samples (the rug)
    bandwidth: float  # the KDE's kernel width for p_g (BANDWIDTH_SHARE of the view)
    d_is_probability: bool  # False: a critic's score, min-max scaled for display
    p_data_exact: bool = True  # False: p_data is a KDE of real samples too

    @property
    def extent(self) -> tuple[float, float]:
        return float(self.xs[0]), float(self.xs[-1])


def line_extent(real: Tensor | np.ndarray, margin: float = MARGIN) -> tuple[float, float]:
    """(x0, x1) around 1D real samples, fixed for a run so the view does not jump."""
    x = np.asarray(real, dtype=np.float64).ravel()
    lo, hi = float(x.min()), float(x.max())
    pad = (hi - lo) * margin + 0.1
    return lo - pad, hi + pad


@torch.no_grad()
def _d_curve(D: nn.Module, xs: np.ndarray, probabilities: bool, device: torch.device) -> np.ndarray:
    out = D(torch.as_tensor(xs, dtype=torch.float32, device=device)[:, None]).float()
    if probabilities:
        return torch.sigmoid(out).cpu().numpy().astype(np.float64)
    lo, hi = out.min(), out.max()
    return ((out - lo) / (hi - lo).clamp_min(1e-8)).cpu().numpy().astype(np.float64)


class DensityProbe:
    """The fixed parts of one run's 1D view (grid, real rug, exact pdf, G's probe noise); call it
    with the current G and D for a :class:`Density1D`."""

    def __init__(
        self,
        reference: Tensor,
        density: Callable[[np.ndarray], np.ndarray] | None,
        z: Tensor,
        extent: tuple[float, float] | None = None,
    ) -> None:
        real = reference.detach().float().cpu().numpy().ravel()
        self.xs = np.linspace(*(extent or line_extent(real)), GRID)
        self.bandwidth = float(self.xs[-1] - self.xs[0]) * BANDWIDTH_SHARE
        self.exact = density is not None
        self.p_data = (
            np.asarray(density(self.xs), dtype=np.float64)
            if density is not None
            else gaussian_kde(real, self.xs, self.bandwidth)
        )
        self.real = real[:RUG]
        self.z = z

    @property
    def extent(self) -> tuple[float, float]:
        """(x0, x1): the fixed window of the run's 1D views."""
        return float(self.xs[0]), float(self.xs[-1])

    @classmethod
    def for_trainer(cls, trainer, reference: Tensor, seed_offset: int = 3) -> "DensityProbe":
        """A probe for a GAN trainer: its data's pdf, noise from ``seed + seed_offset`` on its device."""
        from ganlab.families.gan.trainer import make_noise

        gen = torch.Generator(trainer.device).manual_seed(trainer.cfg.seed + seed_offset)
        z = make_noise(trainer.cfg.noise, DENSITY_SAMPLES, trainer.cfg.z_dim, gen)
        return cls(reference, trainer.data.density, z)

    def __call__(self, G: nn.Module, D: nn.Module, probabilities: bool) -> Density1D:
        device = next(D.parameters()).device
        with _EvalMode(G, D), torch.no_grad():
            fake = G(self.z.to(device)).float().cpu().numpy().ravel()
            d_curve = _d_curve(D, self.xs, probabilities, device)
        p_g = gaussian_kde(fake, self.xs, self.bandwidth)
        return Density1D(
            xs=self.xs,
            p_data=self.p_data,
            p_g=p_g,
            d_curve=d_curve,
            d_star=optimal_discriminator(self.p_data, p_g),
            real=self.real,
            fake=fake[:RUG],
            bandwidth=self.bandwidth,
            d_is_probability=probabilities,
            p_data_exact=self.exact,
        )


def probe_trainer(trainer, reference: Tensor | None = None) -> Density1D:
    """One view of a trainer, for a picture outside a live job (``samples.png``): a seeded reference."""
    if reference is None:
        gen = torch.Generator(trainer.device).manual_seed(trainer.cfg.seed + 2)
        reference = trainer.data.sample(1024, gen)[0]
    probe = DensityProbe.for_trainer(trainer, reference)
    return probe(trainer.G, trainer.D, trainer.objective.probabilities)
