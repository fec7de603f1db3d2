"""One batched GAN iteration over a group's stack: the solo Trainer's step (trainer.py), per run.

Mirrors :meth:`Trainer.train_step` for phase "both": ``d_steps`` D updates then
``g_steps`` G updates, each run drawing its real batch and noise from its own
generator with the solo calls in the solo order. Per-run quantities are (N,)
tensors; losses are the objective's own functions under ``vmap``, so each is
the same mean over one run's row that the run computes alone.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import torch
from torch import Tensor

from ganlab.engine.stacked import Hyper, grad_norms
from ganlab.families.gan.trainer import make_noise
from ganlab.nn import losses

if TYPE_CHECKING:
    from ganlab.families.gan.batched import _Stack


def hypers(stack: _Stack, key: str, steps: list[int]) -> list[Hyper]:
    """Each run's settings for its step: base lr x its own schedule, its betas."""
    out = []
    for t, h, step in zip(stack.trainers, stack.hyper, steps):
        beta1, beta2, eps = h[key]
        out.append(Hyper(t.base_lr[key] * t.lr_factor(step), beta1, beta2, eps))
    return out


def _real_and_noise(stack: "_Stack") -> tuple[Tensor, Tensor]:
    """Each run's real batch then its noise, from its own generator (as real_batch + make_noise)."""
    cfg = stack.trainers[0].cfg
    reals, zs = [], []
    for t in stack.trainers:
        real, _ = t.data.sample(cfg.batch_size, t.generator)
        reals.append(real)
        zs.append(make_noise(cfg.noise, cfg.batch_size, cfg.z_dim, t.generator))
    return torch.stack(reals), torch.stack(zs)


def _d_update(stack: "_Stack", steps: list[int]) -> dict[str, Tensor]:
    cfg = stack.trainers[0].cfg
    obj = losses.get_objective(cfg.objective)
    real, z = _real_and_noise(stack)
    due = [cfg.r1_weight > 0 and s % cfg.r1_every == 0 for s in steps]
    if any(due):
        real.requires_grad_(True)
    with torch.no_grad():
        fake = stack.G(z)
    d_real = stack.D(real).squeeze(-1).float()
    d_fake = stack.D(fake).squeeze(-1).float()
    loss = torch.vmap(obj.d_loss)(d_real, d_fake)
    zero = torch.zeros(len(steps), device=real.device)
    penalty = zero
    if any(due):
        (grad,) = torch.autograd.grad(d_real.sum(), real, create_graph=True)
        r1 = 0.5 * grad.float().pow(2).flatten(2).sum(dim=2).mean(dim=1)
        due_t = torch.tensor(due, device=real.device)
        penalty = torch.where(due_t, zero + cfg.r1_weight * cfg.r1_every * r1, zero)
    total = loss + penalty
    stack.opt_d.zero_grad()
    total.backward(torch.ones_like(total))
    grad_norm = grad_norms(stack.D.params)
    stack.opt_d.step(hypers(stack, "d", steps))
    if obj.weight_clipping:
        with torch.no_grad():
            for p in stack.D.params:
                p.clamp_(-cfg.clip_value, cfg.clip_value)
    return {
        "d_loss": loss.detach(),
        "d_real": d_real.detach(),
        "d_fake": d_fake.detach(),
        "d_grad_norm": grad_norm,
        "penalty": penalty.detach(),
    }


def _g_update(stack: "_Stack", steps: list[int]) -> dict[str, Tensor]:
    cfg = stack.trainers[0].cfg
    obj = losses.get_objective(cfg.objective)
    z = torch.stack([make_noise(cfg.noise, cfg.batch_size, cfg.z_dim, t.generator) for t in stack.trainers])
    stack.D.requires_grad_(False)
    try:
        out = stack.D(stack.G(z)).squeeze(-1).float()
        loss = torch.vmap(obj.g_loss)(out)
        stack.opt_g.zero_grad()
        loss.backward(torch.ones_like(loss))
    finally:
        stack.D.requires_grad_(True)
    grad_norm = grad_norms(stack.G.params)
    stack.opt_g.step(hypers(stack, "g", steps))
    return {"g_loss": loss.detach(), "g_grad_norm": grad_norm}


def group_step(stack: "_Stack", steps: list[int]) -> Tensor:
    """Iteration ``steps[i]`` of every run i; (N, columns) statistics as the solo train_step's rows."""
    cfg = stack.trainers[0].cfg
    for _ in range(cfg.d_steps):
        d = _d_update(stack, steps)
    for _ in range(cfg.g_steps):
        g = _g_update(stack, steps)
    to_prob = torch.sigmoid if losses.get_objective(cfg.objective).probabilities else (lambda t: t)
    d_real, d_fake = d["d_real"], d["d_fake"]
    phase = torch.zeros_like(d["d_loss"])  # PHASES.index("both")
    return torch.stack(
        [
            d["d_loss"],
            g["g_loss"],
            to_prob(d_real).mean(dim=1),
            to_prob(d_fake).mean(dim=1),
            d["d_grad_norm"].float(),
            g["g_grad_norm"].float(),
            d["penalty"],
            d_real.mean(dim=1) - d_fake.mean(dim=1),
            phase,
        ],
        dim=1,
    )
