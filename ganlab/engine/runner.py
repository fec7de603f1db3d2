"""Run any family's one-step update in chunks: one host sync per chunk, NaN/inf rollback.

A family's trainer subclasses :class:`StepRunner`. Its ``__init__`` registers
what the engine must look after: networks (:meth:`add_network`, EMA copies
with :meth:`add_ema`), optimizers (:meth:`add_optimizer`, always through the
one :func:`~ganlab.engine.optim.make_optimizer`) and calls :meth:`ready`.
It then writes only :meth:`train_step` (one update, no ``.item()``: it returns
its statistics as a device vector) and :meth:`make_stats` (that vector, read
back, as the family's record). Everything else is here, once: chunks,
schedules, autocast, EMA, capture/restore, rollback after a divergence,
learning-rate edits between chunks, wall time and history.
"""

from __future__ import annotations

import copy
import math
import time
from contextlib import nullcontext
from dataclasses import fields
from typing import TYPE_CHECKING, Any, ClassVar, Iterable

import torch
from torch import Tensor, nn

from ganlab.engine.optim import make_optimizer, restore_moments
from ganlab.errors import TrainingDiverged

if TYPE_CHECKING:
    from ganlab.engine.distributed import World
    from ganlab.engine.optim import OptimizerConfig


def stat_columns(record: type) -> tuple[str, ...]:
    """A family's history columns are its statistics record's fields, in order: the one list that
    losses.csv, the live history array and the plots all read."""
    return tuple(f.name for f in fields(record))


class StepRunner:
    """Owns a run on one device: networks, optimizers, one random generator, the step counter."""

    divergence_advice: ClassVar[str] = "Try a lower learning rate."
    what_diverged: ClassVar[str] = "a loss"  # how the divergence message names the bad value

    def __init__(self, device: torch.device, seed: int) -> None:
        self.device = device
        self.generator = torch.Generator(device).manual_seed(seed)
        self.networks: dict[str, nn.Module] = {}  # everything saved, captured and restored
        self.optimizers: dict[str, torch.optim.Optimizer] = {}  # by key: "g", "d"
        self.base_lr: dict[str, float] = {}  # the schedule multiplies these
        self.ema_pairs: list[tuple[nn.Module, nn.Module, float]] = []  # (copy, source, decay)
        self.autocast_dtype: torch.dtype | None = None
        self.channels_last = False
        self.step_count = 0
        self.wall_time_s = 0.0
        self.history: list[Any] = []
        self.stopped_reason: str | None = None
        self.world: "World | None" = None  # set by distribute() in a torchrun run
        self._last_good: dict[str, Any] | None = None

    # -- what a family registers ----------------------------------------------------------
    def add_network(self, name: str, module: nn.Module) -> nn.Module:
        """Move ``module`` to the device (channels_last when asked) and look after it."""
        fmt = torch.channels_last if self.channels_last else torch.preserve_format
        self.networks[name] = module.to(self.device, memory_format=fmt)
        return self.networks[name]

    def add_ema(self, name: str, source: nn.Module, decay: float) -> nn.Module:
        """An exponential moving average of ``source``'s weights, updated by :meth:`update_ema`."""
        ema = copy.deepcopy(source).eval().requires_grad_(False)
        self.networks[name] = ema
        self.ema_pairs.append((ema, source, decay))
        return ema

    def add_optimizer(self, key: str, cfg: "OptimizerConfig", params: Iterable[nn.Parameter]) -> torch.optim.Optimizer:
        """An optimizer from its config (fused kernels on CUDA and the CPU), scheduled under ``key``."""
        self.optimizers[key] = make_optimizer(cfg, params, self.device)
        self.base_lr[key] = cfg.lr
        return self.optimizers[key]

    def ready(self) -> None:
        """Call at the end of set-up: the state a first divergence would roll back to."""
        self.mark_good()

    def distribute(self, world: "World") -> None:
        """Train this run as one rank of ``world`` (:mod:`ganlab.engine.distributed`): SyncBatchNorm,
        rank 0's weights everywhere, and gradients averaged over the ranks before every optimizer step."""
        from ganlab.engine import distributed

        self.world = world
        for name, net in self.networks.items():
            if not any(net is ema for ema, _, _ in self.ema_pairs):
                self.networks[name] = distributed.sync_batchnorm(net, self.device, name)
            world.broadcast_(self.networks[name])
        for opt in self.optimizers.values():
            params = [p for group in opt.param_groups for p in group["params"]]
            opt.register_step_pre_hook(lambda *_, _params=params: world.average_gradients(_params))
        self.mark_good()

    def shard(self, batch: Tensor) -> Tensor:
        """This rank's share of a global batch (the whole batch outside a distributed run)."""
        return batch if self.world is None else self.world.shard(batch)

    # -- what a family writes ---------------------------------------------------------------
    def train_step(self, step: int) -> Tensor:
        """Step ``step`` (0-based): one update of every network; its statistics as a 1-D device tensor."""
        raise NotImplementedError

    def make_stats(self, step: int, values: list[float], seconds: float) -> Any:
        """The family's record for 1-based ``step`` from the values :meth:`train_step` returned."""
        raise NotImplementedError

    def lr_factor(self, step: int) -> float:
        """Schedule multiplier at ``step`` (0-based); constant unless a family says otherwise."""
        return 1.0

    def bad_rows(self, raw: Tensor) -> Tensor:
        """(steps,) True where a step's statistics are NaN/inf: a divergence (a family whose step
        may skip a statistic on purpose says which NaNs are expected)."""
        return ~torch.isfinite(raw).all(dim=1)

    # -- shared pieces a step uses ------------------------------------------------------------
    def autocast(self):
        """bf16 autocast where the family chose it, else nothing."""
        if self.autocast_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    @torch.no_grad()
    def update_ema(self) -> None:
        """Move every EMA copy toward its source (buffers such as BatchNorm statistics are copied);
        in a distributed run only rank 0 keeps them (it alone samples and saves)."""
        if self.world is not None and not self.world.is_main:
            return
        for ema, source, decay in self.ema_pairs:
            torch._foreach_lerp_(list(ema.parameters()), list(source.parameters()), 1 - decay)
            for b_ema, b in zip(ema.buffers(), source.buffers()):
                b_ema.copy_(b)

    def apply_schedule(self, step: int) -> None:
        factor = self.lr_factor(step)
        for key, opt in self.optimizers.items():
            for group in opt.param_groups:
                group["lr"] = self.base_lr[key] * factor

    def set_learning_rates(self, **rates: float | None) -> None:
        """Change base learning rates between steps, e.g. ``g_lr=1e-3`` (edits made while paused)."""
        for name, lr in rates.items():
            key = name.removesuffix("_lr")
            if lr is None:
                continue
            if key not in self.optimizers:
                raise ValueError(f"{name}: no optimizer {key!r} in this run")
            if not (math.isfinite(lr) and 0 < lr < 10):
                raise ValueError(f"learning rate must be in (0, 10); got {lr}")
            self.base_lr[key] = lr
        self.apply_schedule(self.step_count)

    # -- the loop --------------------------------------------------------------------------------
    def run(self, steps: int) -> list[Any]:
        """Train ``steps`` steps; statistics come off the device once, at the end.

        Raises TrainingDiverged (after restoring the last good weights and optimizer moments)
        when a statistic is NaN/inf; a stopped run stays stopped.
        """
        if self.stopped_reason:
            raise TrainingDiverged(self.stopped_reason)
        start = time.perf_counter()
        rows = []
        for i in range(steps):
            self.apply_schedule(self.step_count + i)
            rows.append(self.train_step(self.step_count + i))
        raw = torch.stack(rows)
        if self.world is not None:  # every rank logs, and rolls back on, the same (averaged) numbers
            self.world.mean_(raw)
        raw = raw.cpu()  # the one sync
        elapsed = time.perf_counter() - start
        self.wall_time_s += elapsed
        bad = self.bad_rows(raw)
        if bad.any():
            self._roll_back(int(bad.nonzero()[0, 0]))
        new = []
        for row in raw.tolist():
            self.step_count += 1
            new.append(self.make_stats(self.step_count, row, elapsed / steps))
        self.history.extend(new)
        self.mark_good()
        return new

    def step(self) -> Any:
        """One step, its numbers as plain floats."""
        return self.run(1)[0]

    def _roll_back(self, bad_row: int) -> None:
        good = self._last_good["step"]
        self.restore(self._last_good)
        self.stopped_reason = (
            f"training diverged at step {self.step_count + bad_row + 1}: {self.what_diverged} became "
            f"NaN/inf. Weights were restored to step {good}. {self.divergence_advice}"
        )
        raise TrainingDiverged(self.stopped_reason)

    # -- state ---------------------------------------------------------------------------------
    def capture(self) -> dict[str, Any]:
        """A copy of every network and optimizer on the device, to roll back to after a divergence
        (NaN moments would poison the next step and the saved checkpoint)."""
        return {
            "step": self.step_count,
            "networks": {
                name: {k: v.detach().clone() for k, v in net.state_dict().items()}
                for name, net in self.networks.items()
            },
            "optimizers": {key: copy.deepcopy(opt.state_dict()) for key, opt in self.optimizers.items()},
        }

    def restore(self, snapshot: dict[str, Any]) -> None:
        """Weights and optimizer moments back to ``snapshot``; hyper-parameters edited since stay."""
        for name, state in snapshot["networks"].items():
            self.networks[name].load_state_dict(state)
        for key, state in snapshot["optimizers"].items():
            restore_moments(self.optimizers[key], state)

    def mark_good(self) -> None:
        """Remember the present state as the one to roll back to."""
        self._last_good = self.capture()
