"""Many students' small GANs trained in one batched step (issue #15).

A :class:`GanGroup` holds N solo :class:`~ganlab.families.gan.trainer.Trainer`\\ s
that share a shape (:func:`batch_key`: data dimension, MLP width/depth, z_dim,
noise, objective, batch size, D/G steps, optimizers, R1). While a run is in the
group its weights and optimizer moments live stacked, ``(N, *shape)``; one
:meth:`GanGroup.run` trains every active run with one batched forward and
backward pass per update (:mod:`~ganlab.families.gan.batched_mlp`) and the
fused optimizer kernel on each run's slices (:mod:`ganlab.engine.stacked`).
Everything that makes a run *its own* stays per run: its seed and random
generator (each run draws its real batch and noise from it with the solo
Trainer's calls, in the solo order), learning rates, betas, schedule, step
counter, history and divergence.

**Equivalence: bit for bit on the CPU.** A run trained in a group has, after
every chunk, the same weights, moments, RNG state and statistics as the same
run trained alone by the solo Trainer with the same chunk sizes (tests/test_batched.py
checks ``torch.equal`` after 200 steps of the ring8 preset's shape). That holds because every
number a run sees is computed by the same kernel on the same inputs as alone:
MKL's batched gemm equals its per-slice gemm (the one-unit-wide layers, a gemv
alone, run per run), the per-run losses are the objective's own functions under
``vmap`` (a mean over each run's row), R1 is masked with ``where`` for runs not due
(an exact zero added to a gradient changes nothing), and the optimizer is the
solo fused kernel on contiguous slices. On CUDA the kernels differ (cuBLAS picks
batched algorithms of its own), so there a group matches only to float tolerance.

The trainers stay the runs' owners of record: whenever a run is parked
(paused, diverged, or between membership changes) its Trainer holds its state,
and :meth:`GanGroup.trainer` writes the stacked slices back first, so snapshots,
probes and ``save_trainer`` work on it unchanged.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import torch

from ganlab.data import is_points_dataset
from ganlab.engine.stacked import STEPS, StackedOptimizer, stack_parameters, write_slot
from ganlab.errors import ConfigError, TrainingDiverged
from ganlab.families.gan.batched_mlp import StackedMLP
from ganlab.families.gan.batched_step import group_step
from ganlab.families.gan.config import TrainConfig
from ganlab.families.gan.trainer import StepStats, Trainer
from ganlab.families.gan.watch import NO_WATCH

# -- which runs can share a step -----------------------------------------------------------------
RULES: tuple[tuple[str, Any, str], ...] = (  # (name, passes(cfg), why not)
    (
        "points",
        lambda c: is_points_dataset(c.dataset) and c.model in ("auto", "mlp"),
        "only point data sets (MLPs) train in a batched group; image models keep their own thread",
    ),
    (
        "objective",
        lambda c: c.objective != "wgan-gp",
        "wgan-gp's gradient penalty samples its own points inside D; it keeps its own thread",
    ),
    ("ema", lambda c: c.ema == 0, "an EMA generator is not batched yet; it keeps its own thread"),
    (
        "optimizer",
        lambda c: c.g_optim.name in STEPS and c.d_optim.name in STEPS,
        f"only {' and '.join(STEPS)} are batched (the fused kernels); rmsprop keeps its own thread",
    ),
    ("spectral_norm", lambda c: not c.spectral_norm, "spectral norm is not batched; it keeps its own thread"),
    ("precision", lambda c: c.precision != "bf16", "bf16 autocast is not batched; it keeps its own thread"),
    ("batch_size", lambda c: c.batch_size >= 2, "a batch of one is a matrix-vector product; it keeps its own thread"),
    ("conditional", lambda c: not c.conditional, "class-conditional runs keep their own thread"),
)


def why_not_batchable(cfg: TrainConfig) -> str | None:
    """None when ``cfg``'s run can train in a group; else the reason, one line (it trains alone)."""
    for name, passes, reason in RULES:
        if not passes(cfg):
            return f"{name}: {reason}"
    return None


def why_not_joinable(trainer: Trainer) -> str | None:
    """As :func:`why_not_batchable`, plus what a live Trainer may have changed (phase, device)."""
    reason = why_not_batchable(trainer.cfg)
    if reason is None and trainer.data.kind != "points":
        reason = "points: only point data sets train in a batched group"
    if reason is None and trainer.phase != "both":
        reason = f"phase: a run training only {'D' if trainer.phase == 'd' else 'G'} keeps its own thread"
    if reason is None and trainer.device.type not in ("cpu", "cuda"):
        reason = f"device: {trainer.device.type} has no fused optimizer; it keeps its own thread"
    if reason is None and trainer.stopped_reason:
        reason = "state: this run has diverged"
    return reason


def batch_key(trainer: Trainer) -> tuple:
    """Runs with equal keys can share a group: what fixes the tensors' shapes and the step's code."""
    c = trainer.cfg
    return (
        str(trainer.device),
        tuple(trainer.data.shape),
        c.z_dim,
        c.width,
        c.depth,
        c.noise,
        c.objective,
        c.batch_size,
        c.d_steps,
        c.g_steps,
        c.g_optim.name,
        c.d_optim.name,
        c.r1_weight,
        c.r1_every,
        c.clip_value,
    )


# -- the group ---------------------------------------------------------------------------------------
@dataclass
class Member:
    """One run in a group: its Trainer (the owner of record) and whether it trains."""

    trainer: Trainer
    paused: bool = False

    @property
    def state(self) -> str:
        return "diverged" if self.trainer.stopped_reason else "paused" if self.paused else "running"


@dataclass
class _Stack:
    """The active runs' weights and moments, stacked in ``ids`` order."""

    ids: list[int]
    trainers: list[Trainer]
    G: StackedMLP
    D: StackedMLP
    opt_g: StackedOptimizer
    opt_d: StackedOptimizer
    hyper: list[dict[str, tuple[float, float, float]]] = field(default_factory=list)  # betas, eps per run


class GanGroup:
    """N GAN runs of one :func:`batch_key`, trained together; join, leave, pause between chunks."""

    def __init__(self) -> None:
        self.members: dict[int, Member] = {}
        self.key: tuple | None = None
        self._next_id = 0
        self._stack: _Stack | None = None

    # -- membership (between chunks) -------------------------------------------------------------
    def join(self, trainer: Trainer) -> int:
        """Add a run with its own state (weights, moments, RNG, step); returns its member id."""
        reason = why_not_joinable(trainer)
        if reason:
            raise ConfigError(reason)
        if self.key is not None and batch_key(trainer) != self.key:
            raise ConfigError("this run's shape differs from the group's (batch_key); start another group")
        if trainer.watch is not NO_WATCH:
            raise ConfigError("a run in slow motion keeps its own thread")
        self._park()
        self.key = batch_key(trainer)
        member_id, self._next_id = self._next_id, self._next_id + 1
        self.members[member_id] = Member(trainer)
        return member_id

    def leave(self, member_id: int) -> Trainer:
        """Remove a run and hand back its Trainer, ready to train alone or to be saved."""
        self._park()
        member = self.members.pop(self._check(member_id))
        member.trainer.mark_good()
        if not self.members:
            self.key = None
        return member.trainer

    def pause(self, member_id: int) -> None:
        """This run stops advancing (its RNG does not move); the others go on."""
        if not self.members[self._check(member_id)].paused:
            self._park()
            self.members[member_id].paused = True

    def resume(self, member_id: int) -> None:
        if self.members[self._check(member_id)].paused:
            self._park()
            self.members[member_id].paused = False

    def set_learning_rates(self, member_id: int, g_lr: float | None = None, d_lr: float | None = None) -> None:
        """One run's base learning rates (validated as a solo run's); the next step uses them."""
        self.members[self._check(member_id)].trainer.set_learning_rates(g_lr=g_lr, d_lr=d_lr)

    def trainer(self, member_id: int) -> Trainer:
        """The run's Trainer with the group's latest weights and moments written into it (for
        snapshots, probes, checkpoints); the group keeps training it, so do not step it yourself."""
        stack = self._stack
        if stack is not None and member_id in stack.ids:
            self._write_back(stack, stack.ids.index(member_id))
        return self.members[self._check(member_id)].trainer

    def state(self, member_id: int) -> str:
        return self.members[self._check(member_id)].state

    @property
    def active_ids(self) -> list[int]:
        return [i for i, m in self.members.items() if m.state == "running"]

    def __len__(self) -> int:
        return len(self.members)

    def _check(self, member_id: int) -> int:
        if member_id not in self.members:
            raise KeyError(f"no run {member_id} in this group")
        return member_id

    # -- stacking --------------------------------------------------------------------------------
    def _park(self) -> None:
        """Write the stack back into the trainers and drop it (rebuilt at the next chunk)."""
        stack, self._stack = self._stack, None
        if stack is not None:
            for slot in range(len(stack.ids)):
                self._write_back(stack, slot)

    def _write_back(self, stack: _Stack, slot: int) -> None:
        t = stack.trainers[slot]
        write_slot(stack.G.params, slot, t.G)
        write_slot(stack.D.params, slot, t.D)
        stack.opt_g.write_slot(slot, t.opt_g)
        stack.opt_d.write_slot(slot, t.opt_d)
        if t.step_count:  # the learning rates the last step used, as the solo loop leaves them
            t.apply_schedule(t.step_count - 1)

    def _build(self) -> _Stack | None:
        ids = self.active_ids
        if not ids:
            return None
        trainers = [self.members[i].trainer for i in ids]
        g_params = stack_parameters([t.G for t in trainers])
        d_params = stack_parameters([t.D for t in trainers])
        cfg = trainers[0].cfg
        hyper = [{k: _settings(opt) for k, opt in (("g", t.opt_g), ("d", t.opt_d))} for t in trainers]
        return _Stack(
            ids,
            trainers,
            StackedMLP(trainers[0].G, g_params),
            StackedMLP(trainers[0].D, d_params),
            StackedOptimizer(cfg.g_optim.name, g_params, [t.opt_g for t in trainers]),
            StackedOptimizer(cfg.d_optim.name, d_params, [t.opt_d for t in trainers]),
            hyper,
        )

    # -- training --------------------------------------------------------------------------------
    def run(self, steps: int) -> dict[int, list[StepStats]]:
        """Train every running member ``steps`` steps; statistics come off the device once.

        Returns each trained member's new statistics. A member whose statistics turn NaN/inf is
        rolled back alone to where this chunk began, exactly as the solo Trainer rolls back, and
        stops (``state`` "diverged", the reason in its Trainer's ``stopped_reason``); the others
        keep this chunk.
        """
        if self._stack is None:
            self._stack = self._build()
        stack = self._stack
        if stack is None or steps <= 0:
            return {}
        start = time.perf_counter()
        good = _capture(stack)
        rows = [group_step(stack, [t.step_count + i for t in stack.trainers]) for i in range(steps)]
        raw = torch.stack(rows).cpu()  # (steps, N, columns): the one sync
        elapsed = time.perf_counter() - start
        out: dict[int, list[StepStats]] = {}
        diverged = False
        for slot, (member_id, t) in enumerate(zip(stack.ids, stack.trainers)):
            t.wall_time_s += elapsed
            bad = t.bad_rows(raw[:, slot])
            if bad.any():
                self._roll_back(stack, slot, good, int(bad.nonzero()[0, 0]))
                diverged = True
                continue
            new = []
            for row in raw[:, slot].tolist():
                t.step_count += 1
                new.append(t.make_stats(t.step_count, row, elapsed / steps))
            t.history.extend(new)
            out[member_id] = new
        if diverged:
            self._park()  # the diverged runs leave the stack; their trainers hold the restored state
        return out

    def _roll_back(self, stack: _Stack, slot: int, good: dict[str, Any], bad_row: int) -> None:
        """Restore one run's slices to the chunk's start, then let its Trainer word the divergence
        exactly as a solo run does (its own rollback then restores that same state)."""
        with torch.no_grad():
            for name, params in (("g", stack.G.params), ("d", stack.D.params)):
                for p, saved in zip(params, good[name]):
                    p[slot].copy_(saved[slot])
        stack.opt_g.restore_slot(slot, good["opt_g"])
        stack.opt_d.restore_slot(slot, good["opt_d"])
        self._write_back(stack, slot)
        trainer = stack.trainers[slot]
        trainer.mark_good()
        try:
            trainer._roll_back(bad_row)
        except TrainingDiverged:
            pass


def _settings(opt: torch.optim.Optimizer) -> tuple[float, float, float]:
    """(beta1, beta2, eps) of a solo optimizer: Adam's betas, or SGD's momentum as beta1."""
    group = opt.param_groups[0]
    if "betas" in group:
        return float(group["betas"][0]), float(group["betas"][1]), float(group["eps"])
    return float(group["momentum"]), 0.0, 0.0


def _capture(stack: _Stack) -> dict[str, Any]:
    """The chunk's rollback point: copies of the stacked weights and moments."""
    return {
        "g": [p.detach().clone() for p in stack.G.params],
        "d": [p.detach().clone() for p in stack.D.params],
        "opt_g": stack.opt_g.snapshot(),
        "opt_d": stack.opt_d.snapshot(),
    }
