"""A family written only for the tests: it fits one number to a target by gradient descent.

It proves the registry's promise: a new family is a package (here, this module) plus one
entry in FAMILIES, and the engine, the ``train`` command and the job need no edits.
"""

from __future__ import annotations

import argparse
import json
from dataclasses import asdict, dataclass, replace
from pathlib import Path

import torch
from torch import nn

from ganlab.cli.loop import LoopHooks
from ganlab.engine.checkpoints import load_checkpoint, save_checkpoint
from ganlab.engine.devices import resolve_device
from ganlab.engine.family import Family
from ganlab.engine.job import RunJob
from ganlab.engine.runner import StepRunner, stat_columns
from ganlab.engine.state import restore_runner, runner_state, stored_training_config
from ganlab.errors import ConfigError
from ganlab.families.gan.config import OptimizerConfig


@dataclass
class ToyConfig:
    target: float = 3.0
    steps: int = 50
    lr: float = 0.1
    seed: int = 0
    device: str = "cpu"
    dataset: str = "toy"

    def validate(self) -> "ToyConfig":
        if not 0 < self.lr < 10:
            raise ConfigError(f"lr: must be in (0, 10); got {self.lr}")
        return self

    def updated(self, **changes) -> "ToyConfig":
        return replace(self, **changes)

    def to_dict(self) -> dict:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict())

    @classmethod
    def from_dict(cls, data: dict) -> "ToyConfig":
        return cls(**data)


@dataclass
class ToyStats:
    step: int
    loss: float
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


class Scalar(nn.Module):
    arch = "toy-scalar"

    def __init__(self) -> None:
        super().__init__()
        self.args: dict = {}
        self.value = nn.Parameter(torch.zeros(()))


class ToyRunner(StepRunner):
    def __init__(self, cfg: ToyConfig, data=None) -> None:
        self.cfg = cfg.validate()
        super().__init__(resolve_device(cfg.device), cfg.seed)
        self.model = self.add_network("model", Scalar())
        self.add_optimizer("m", OptimizerConfig("sgd", cfg.lr, 0.0, 0.999), self.model.parameters())
        self.ready()

    def train_step(self, step: int) -> torch.Tensor:
        loss = (self.model.value - self.cfg.target) ** 2
        self.optimizers["m"].zero_grad()
        loss.backward()
        self.optimizers["m"].step()
        return loss.detach()[None]

    def make_stats(self, step: int, values: list[float], seconds: float) -> ToyStats:
        return ToyStats(step, values[0], seconds)


class ToyJob(RunJob):
    def build_runner(self, cfg: ToyConfig, data) -> ToyRunner:
        return ToyRunner(cfg, data)

    def make_snapshot(self) -> dict:
        return {
            "version": self.next_version(),
            "state": self.state,
            "step": self.trainer.step_count,
            "value": float(self.trainer.model.value.detach()),
        }


def save(runner: ToyRunner, folder: Path) -> Path:
    tensors, meta = runner_state(runner)
    meta.update(kind="toy", config=runner.cfg.to_dict())
    return save_checkpoint(folder, tensors, meta)


def restore(folder: Path, device: str | None = None) -> ToyRunner:
    ckpt = load_checkpoint(folder)
    cfg = stored_training_config(ckpt, "toy", ToyConfig, "is not a toy run")
    return restore_runner(ToyRunner(cfg), ckpt)


# -- the family's `train` part (this module is also its `cli` module) ------------------------
def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument_group("toy").add_argument("--target", type=float, default=None)


def start(args: argparse.Namespace) -> ToyRunner:
    cfg = ToyConfig(steps=args.steps or 50, seed=args.seed or 0)
    if args.target is not None:
        cfg.target = args.target
    return ToyRunner(cfg)


def resume(args: argparse.Namespace) -> ToyRunner:
    runner = restore(args.out)
    if args.steps:
        runner.cfg = runner.cfg.updated(steps=args.steps)
    return runner


def loop_hooks(runner: ToyRunner, out: Path, args: argparse.Namespace) -> LoopHooks:
    return LoopHooks(
        columns=stat_columns(ToyStats),
        total=lambda: runner.cfg.steps,
        save=lambda: save(runner, out),
        chunk_size=lambda _last: 10,
        postfix=lambda s: {"loss": f"{s.loss:.3g}"},
        checkpoint_every=20,
    )


def finish(runner: ToyRunner, out: Path, args: argparse.Namespace, status: str) -> str:
    save(runner, out)
    return f"{status} at step {runner.step_count}: value {float(runner.model.value.detach()):.4f}"


FAMILY = Family(
    name="toy",
    summary="fit one number",
    config=ToyConfig,
    runner=ToyRunner,
    job=ToyJob,
    restore=restore,
    checkpoint_kind="toy",
    models=("scalar",),
    claims=lambda dataset: dataset == "toy",
    cli=__name__,
)
