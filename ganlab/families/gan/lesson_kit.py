"""What a lesson is, and how its check trains a config headlessly (memoised across lessons).

A :class:`Lesson` is a config a student can load in the Train tab (or race
against its ``contrast``), a paragraph, and ``check``: a function that trains
the preset (and its contrast) for ``check_steps`` and returns a
:class:`CheckResult` saying whether the claim held, with the figures. The
catalogue lives in :mod:`ganlab.families.gan.lessons`; other families' lessons
import only this module, so nothing needs a circular import.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Callable

import numpy as np
import torch

from ganlab.errors import TrainingDiverged
from ganlab.families.gan.config import OptimizerConfig, TrainConfig
from ganlab.families.gan.presets import recommended_config
from ganlab.metrics.toy2d import mode_coverage


def adam(lr: float) -> OptimizerConfig:
    return OptimizerConfig("adam", lr, 0.5, 0.999)


def sgd(lr: float) -> OptimizerConfig:
    return OptimizerConfig("sgd", lr, 0.5, 0.999)


def toy_config(dataset: str = "ring8", **changes) -> TrainConfig:
    # no R1: each lesson shows one effect, and the penalty would blur the contrasts
    base = dict(width=64, batch_size=128, steps=1500, seed=0, r1_weight=0.0, g_optim=adam(1e-3), d_optim=adam(1e-3))
    base.update(changes)
    return recommended_config(dataset).updated(**base)


# -- running a config headlessly (memoised: lessons share their contrasts) ---------------------


@dataclass
class RunResult:
    trainer: object
    diverged: str | None

    @property
    def history(self) -> list:
        return self.trainer.history

    def recent(self, name: str, n: int = 100) -> float:
        values = [getattr(s, name) for s in self.history[-n:]]
        return float(np.median(values)) if values else float("nan")

    def coverage(self):
        tr = self.trainer
        return mode_coverage(tr.sample_fixed(), tr.data.modes, tr.data.sigma)

    def distance_to_data(self) -> float:
        """Mean distance from G's fixed samples to their nearest mode (how far G still has to go)."""
        tr = self.trainer
        return float(torch.cdist(tr.sample_fixed(), tr.data.modes.float().cpu()).min(dim=1).values.mean())


@lru_cache(maxsize=64)  # every lesson and contrast over a few seeds
def _run_cached(cfg_json: str, steps: int) -> RunResult:
    from ganlab.families.gan.trainer import Trainer

    cfg = TrainConfig.from_json(cfg_json)
    trainer = Trainer(cfg)
    try:
        for done in range(0, steps, 10):  # chunks, so a divergence leaves the steps before it
            trainer.run(min(10, steps - done))
    except TrainingDiverged as exc:
        return RunResult(trainer, str(exc))
    return RunResult(trainer, None)


def run_config(cfg: TrainConfig, steps: int, device: str = "cpu") -> RunResult:
    """Train ``cfg`` for ``steps`` on ``device`` (the same config and steps are trained once)."""
    return _run_cached(cfg.updated(device=device).to_json(), steps)


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    summary: str
    figures: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Lesson:
    key: str
    title: str
    text: str
    config: TrainConfig  # or another family's config (the StyleGAN lessons')
    check_steps: int
    check: Callable[["Lesson", str], CheckResult]
    contrast: TrainConfig | None = None  # the other side of the comparison, for a race
    labels: tuple[str, str] = ("this lesson", "contrast")

    def with_seed(self, seed: int) -> "Lesson":
        """The same lesson with ``seed`` on both sides (a claim that holds for one seed only is luck)."""
        contrast = self.contrast.updated(seed=seed) if self.contrast is not None else None
        return replace(self, config=self.config.updated(seed=seed), contrast=contrast)

    def verify(self, device: str = "cpu", seed: int | None = None) -> CheckResult:
        """Train headlessly and test the lesson's claim (with the preset's seed unless ``seed``)."""
        lesson = self if seed is None else self.with_seed(seed)
        return lesson.check(lesson, device)


def make_lesson(
    key, title, text, config, steps, check, contrast=None, labels=("this lesson", "contrast"), run_steps=None
) -> Lesson:
    """A lesson whose runs (preset and contrast) last exactly the steps its check verified,
    unless ``run_steps`` says the claim only grows stronger with more."""
    run_steps = run_steps or steps
    return Lesson(
        key,
        title,
        text,
        config.updated(steps=run_steps),
        steps,
        check,
        contrast.updated(steps=run_steps) if contrast is not None else None,
        labels,
    )
