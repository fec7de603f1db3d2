"""Many runs' copies of one network, stacked on a leading run axis, and their optimizers.

A batched group (see :mod:`ganlab.families.gan.batched`) keeps each parameter of
N runs as one ``(N, *shape)`` leaf tensor, so one batched matmul serves every
run. The optimizer step then runs the *same fused kernel the solo optimizer
runs* (``torch._fused_adam_`` / ``torch._fused_sgd_``, what
``torch.optim.Adam(fused=True)`` calls) on each run's slices, with that run's
learning rate, betas and step counter. Why not Adam written with torch ops
over the whole stack: it was measured 1 ulp off the fused kernel (one element in
16,384 after one step; the kernel's vector code rounds differently), and a GAN
amplifies 1 ulp into different curves within a few hundred steps; the slices
are contiguous views, so the kernel sees exactly the numbers it sees alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import torch
from torch import Tensor, nn


def stack_parameters(modules: list[nn.Module]) -> list[Tensor]:
    """One leaf tensor per parameter, ``(N, *shape)``, in ``parameters()`` order."""
    per_run = [list(m.parameters()) for m in modules]
    return [torch.stack([p.detach() for p in ps]).requires_grad_(True) for ps in zip(*per_run)]


@torch.no_grad()
def write_slot(stacked: list[Tensor], slot: int, module: nn.Module) -> None:
    """Copy run ``slot``'s weights from the stack into ``module`` (e.g. a solo Trainer's G)."""
    for s, p in zip(stacked, module.parameters()):
        p.copy_(s[slot])


@dataclass
class Hyper:
    """One run's optimizer settings for one step (lr already scheduled)."""

    lr: float
    beta1: float
    beta2: float
    eps: float = 1e-8


# -- per-optimizer state layout: which buffers, how a solo optimizer stores them -------------------
BUFFERS: dict[str, tuple[str, ...]] = {"adam": ("exp_avg", "exp_avg_sq"), "sgd": ("momentum_buffer",)}


class StackedOptimizer:
    """Per-run optimizer state over stacked parameters; :meth:`step` updates the runs given."""

    def __init__(self, kind: str, params: list[Tensor], opts: list[torch.optim.Optimizer]) -> None:
        if kind not in STEPS:
            raise ValueError(f"optimizer {kind!r} cannot be batched (only {', '.join(STEPS)})")
        self.kind = kind
        self.params = params
        n = params[0].shape[0]
        self.buffers = {name: [torch.zeros_like(p, requires_grad=False) for p in params] for name in BUFFERS[kind]}
        self.steps = [torch.zeros((), dtype=torch.float32, device=params[0].device) for _ in range(n)]
        self.started = [False] * n  # SGD: the momentum buffer exists (the kernel's first step copies the grad)
        for slot, opt in enumerate(opts):
            self._load_slot(slot, opt)

    # -- state in and out of a solo torch.optim optimizer ----------------------------------------
    @torch.no_grad()
    def _load_slot(self, slot: int, opt: torch.optim.Optimizer) -> None:
        params = opt.param_groups[0]["params"]
        for i, p in enumerate(params):
            state = opt.state.get(p, {})
            for name in BUFFERS[self.kind]:
                if state.get(name) is not None:
                    self.buffers[name][i][slot].copy_(state[name])
                    self.started[slot] = True
            if "step" in state:
                self.steps[slot].copy_(state["step"])
                self.started[slot] = True

    @torch.no_grad()
    def write_slot(self, slot: int, opt: torch.optim.Optimizer) -> None:
        """Give run ``slot``'s moments and step count back to a solo optimizer, as its own step
        would have left them (a run that never stepped keeps an empty state)."""
        if not self.started[slot]:
            opt.state.clear()
            return
        for i, p in enumerate(opt.param_groups[0]["params"]):
            state = {name: self.buffers[name][i][slot].clone() for name in BUFFERS[self.kind]}
            if self.kind == "adam":
                state["step"] = self.steps[slot].clone()
            opt.state[p] = state

    def snapshot(self) -> dict[str, list[Tensor]]:
        """A copy of every buffer and step counter (the rollback point of a chunk)."""
        snap = {name: [b.detach().clone() for b in bufs] for name, bufs in self.buffers.items()}
        snap["steps"] = [s.clone() for s in self.steps]
        snap["started"] = list(self.started)  # type: ignore[assignment]
        return snap

    @torch.no_grad()
    def restore_slot(self, slot: int, snap: dict[str, list[Tensor]]) -> None:
        for name in BUFFERS[self.kind]:
            for b, s in zip(self.buffers[name], snap[name]):
                b[slot].copy_(s[slot])
        self.steps[slot].copy_(snap["steps"][slot])
        self.started[slot] = bool(snap["started"][slot])

    # -- the step ------------------------------------------------------------------------------
    @torch.no_grad()
    def step(self, hypers: list[Hyper]) -> None:
        """One update of every run (slot order), each with its own settings."""
        grads = [p.grad for p in self.params]
        for slot, h in enumerate(hypers):
            STEPS[self.kind](self, slot, [g[slot] for g in grads], h)

    def zero_grad(self) -> None:
        for p in self.params:
            p.grad = None


def _adam_slot(opt: StackedOptimizer, slot: int, grads: list[Tensor], h: Hyper) -> None:
    """torch.optim.Adam(fused=True)'s step for one run: count the step, then the fused kernel."""
    step = opt.steps[slot]
    step.add_(1)
    torch._fused_adam_(
        [p[slot] for p in opt.params],
        grads,
        [m[slot] for m in opt.buffers["exp_avg"]],
        [v[slot] for v in opt.buffers["exp_avg_sq"]],
        [],
        [step] * len(grads),
        lr=h.lr,
        beta1=h.beta1,
        beta2=h.beta2,
        weight_decay=0.0,
        eps=h.eps,
        amsgrad=False,
        maximize=False,
        grad_scale=None,
        found_inf=None,
    )
    opt.started[slot] = True


def _sgd_slot(opt: StackedOptimizer, slot: int, grads: list[Tensor], h: Hyper) -> None:
    """torch.optim.SGD(fused=True, momentum=beta1)'s step for one run (beta1 is the momentum, as in
    :func:`ganlab.engine.optim.make_optimizer`)."""
    momentum = h.beta1
    buffers = [] if momentum == 0 else [b[slot] for b in opt.buffers["momentum_buffer"]]
    first = momentum != 0 and not opt.started[slot]
    torch._fused_sgd_(
        [p[slot] for p in opt.params],
        grads,
        buffers,
        weight_decay=0.0,
        momentum=momentum,
        lr=h.lr,
        dampening=0.0,
        nesterov=False,
        maximize=False,
        is_first_step=first,
        grad_scale=None,
        found_inf=None,
    )
    opt.started[slot] = momentum != 0 or opt.started[slot]


STEPS: dict[str, Callable[[StackedOptimizer, int, list[Tensor], Hyper], None]] = {"adam": _adam_slot, "sgd": _sgd_slot}


def grad_norms(params: list[Tensor]) -> Tensor:
    """(N,) each run's total gradient 2-norm, as ``clip_grad_norm_(..., inf)`` reports it alone:
    the norm of the per-tensor norms."""
    per_tensor = torch.stack([torch.linalg.vector_norm(p.grad.flatten(1), 2.0, dim=1) for p in params], dim=1)
    return torch.linalg.vector_norm(per_tensor, 2.0, dim=1)
