"""GAN objectives as plain functions, and the penalties that go with them.

Each objective is a pair of functions of D's raw outputs (logits or critic
values): ``d_loss(real, fake)`` and ``g_loss(fake)``. They compute; the
trainer owns backward passes and optimizer steps.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
import torch.nn.functional as F
from torch import Tensor, nn

LossFn = Callable[..., Tensor]


# -- D losses --------------------------------------------------------------------


def bce_d(real: Tensor, fake: Tensor) -> Tensor:
    """-log D(x) - log(1 - D(G(z))), with D = sigmoid(logit) (Goodfellow et al. 2014)."""
    return F.softplus(-real).mean() + F.softplus(fake).mean()


def least_squares(prediction: Tensor, target_real: bool) -> Tensor:
    """Least-squares GAN loss (Mao et al. 2017) of D's outputs against a constant 1 (real) or
    0 (fake) target: the one LSGAN formula, for a scalar critic and PatchGAN maps alike."""
    target = 1.0 if target_real else 0.0
    return (prediction.float() - target).square().mean()


def lsgan_d(real: Tensor, fake: Tensor) -> Tensor:
    """Least squares, targets 1 for real and 0 for fake (Mao et al. 2017)."""
    return 0.5 * least_squares(real, True) + 0.5 * least_squares(fake, False)


def wasserstein_d(real: Tensor, fake: Tensor) -> Tensor:
    """The critic maximises E[D(x)] - E[D(G(z))] (Arjovsky et al. 2017)."""
    return fake.mean() - real.mean()


def hinge_d(real: Tensor, fake: Tensor) -> Tensor:
    """Hinge loss (Lim & Ye 2017; SAGAN): margins of 1 on both sides."""
    return F.relu(1 - real).mean() + F.relu(1 + fake).mean()


# -- G losses --------------------------------------------------------------------


def minimax_g(fake: Tensor) -> Tensor:
    """The original saturating loss: G minimises log(1 - D(G(z))) = -softplus(logit)."""
    return -F.softplus(fake).mean()


def nonsaturating_g(fake: Tensor) -> Tensor:
    """G maximises log D(G(z)): strong gradients when D rejects the fakes."""
    return F.softplus(-fake).mean()


def lsgan_g(fake: Tensor) -> Tensor:
    return 0.5 * least_squares(fake, True)


def wasserstein_g(fake: Tensor) -> Tensor:
    """Shared by WGAN, WGAN-GP and hinge: G raises the critic's score of its samples."""
    return -fake.mean()


@dataclass(frozen=True)
class Objective:
    """A GAN objective: its two losses and how D's outputs should be read."""

    name: str
    d_loss: LossFn
    g_loss: LossFn
    probabilities: bool  # D's output is a logit of P(real)
    weight_clipping: bool = False
    gradient_penalty: bool = False
    summary: str = ""


OBJECTIVES: dict[str, Objective] = {
    o.name: o
    for o in (
        Objective(
            "minimax",
            bce_d,
            minimax_g,
            True,
            summary="original GAN: G minimises log(1 - D(G(z))); saturates when D wins",
        ),
        Objective(
            "nonsaturating", bce_d, nonsaturating_g, True, summary="G maximises log D(G(z)); the standard choice"
        ),
        Objective("lsgan", lsgan_d, lsgan_g, False, summary="least-squares targets 1/0"),
        Objective(
            "wgan",
            wasserstein_d,
            wasserstein_g,
            False,
            weight_clipping=True,
            summary="Wasserstein critic, Lipschitz by weight clipping",
        ),
        Objective(
            "wgan-gp",
            wasserstein_d,
            wasserstein_g,
            False,
            gradient_penalty=True,
            summary="Wasserstein critic, Lipschitz by a per-sample gradient penalty",
        ),
        Objective("hinge", hinge_d, wasserstein_g, False, summary="hinge loss, as in SAGAN/BigGAN"),
    )
}


def get_objective(name: str) -> Objective:
    try:
        return OBJECTIVES[name]
    except KeyError:
        raise ValueError(f"objective: must be one of {', '.join(OBJECTIVES)}; got {name!r}") from None


# -- penalties -------------------------------------------------------------------


def _input_grad_norms(d: nn.Module, x: Tensor, labels: Tensor | None) -> Tensor:
    """||dD(x_i)/dx_i|| for each sample i (a graph is kept so the penalty can be trained)."""
    x = x.detach().requires_grad_(True)
    out = d(x, labels)
    (grad,) = torch.autograd.grad(out.sum(), x, create_graph=True)
    return grad.flatten(1).norm(dim=1)


def interpolation_weights(n: int, like: Tensor, generator: torch.Generator | None = None) -> Tensor:
    """WGAN-GP's position on each real-fake line: one U(0, 1) per sample, shaped to broadcast over ``like``."""
    return torch.rand((n,) + (1,) * (like.dim() - 1), device=like.device, dtype=like.dtype, generator=generator)


def gradient_penalty(
    d: nn.Module,
    real: Tensor,
    fake: Tensor,
    labels: Tensor | None = None,
    generator: torch.Generator | None = None,
    alpha: Tensor | None = None,
) -> Tensor:
    """WGAN-GP (Gulrajani et al. 2017): mean over samples of (||grad D(x_hat)|| - 1)^2,
    x_hat on random lines between real and fake samples; the norm is per sample. ``alpha`` (from
    :func:`interpolation_weights`) is drawn here unless given (a distributed rank takes its shard)."""
    if alpha is None:
        alpha = interpolation_weights(real.shape[0], real, generator)
    x_hat = alpha * real.detach() + (1 - alpha) * fake.detach()
    return ((_input_grad_norms(d, x_hat, labels) - 1) ** 2).mean()


def r1_penalty(d: nn.Module, real: Tensor, labels: Tensor | None = None) -> Tensor:
    """R1 (Mescheder et al. 2018): 1/2 E||grad D(x)||^2 on real data; the caller scales by gamma."""
    x = real.detach().requires_grad_(True)
    return r1_from_outputs(d(x, labels), x)


def r1_from_outputs(d_out: Tensor, x: Tensor) -> Tensor:
    """R1 from D's outputs on ``x`` (a leaf that requires grad), so a trainer can reuse the
    forward pass its loss already made instead of running D on the real batch twice."""
    (grad,) = torch.autograd.grad(d_out.sum(), x, create_graph=True)
    return 0.5 * grad.float().pow(2).flatten(1).sum(dim=1).mean()


def clip_weights(d: nn.Module, value: float) -> None:
    """WGAN weight clipping to [-value, value], in place."""
    with torch.no_grad():
        for p in d.parameters():
            p.clamp_(-value, value)
