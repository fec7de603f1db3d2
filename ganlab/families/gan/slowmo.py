"""Slow motion: one GAN iteration taken apart into numbered sub-steps, as poloclub's GAN Lab does.

:func:`record_iteration` trains exactly one iteration through the trainer's
own ``run(1)`` (so the schedule, the NaN rollback and the history are the
usual ones) with a recorder as its :mod:`~ganlab.families.gan.watch`. The
recorder copies what each sub-step computed: the real batch, the fakes, D's
scores, the losses the update used, the gradient on each fake, and D's
surface before and after D's update. Nothing it does draws a random number
or changes a network, so the update equals a normal step's bit for bit
(tests/test_slowmo.py). The pictures are :mod:`ganlab.render.slowmo`'s.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator

import numpy as np
import torch
from torch import Tensor, nn

from ganlab.errors import GanLabError
from ganlab.families.gan import probes
from ganlab.families.gan.watch import NO_WATCH


@dataclass(frozen=True)
class SubStep:
    """One numbered sub-step: what it shows (``tensors``, CPU) and the numbers its caption quotes."""

    number: int  # 1-based over the whole iteration
    network: str  # "D" or "G": whose half of the iteration
    round: int  # which D (or G) update of the iteration, 1-based (d_steps / g_steps > 1)
    stage: str  # the watch stage, e.g. "d.loss"
    title: str
    caption: str  # "4. D's loss: ..." (numbered)
    values: dict[str, float] = field(default_factory=dict)
    tensors: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class SlowStep:
    """Everything one slow-motion iteration showed, in order."""

    step: int  # the iteration's 1-based step number (the history row it wrote)
    data_kind: str  # "points" | "image"
    substeps: tuple[SubStep, ...]
    extent: tuple[float, float, float, float] | None  # the 2D view's window
    probabilities: bool  # D's scores are probabilities (else raw critic values)

    def captions(self) -> list[str]:
        return [s.caption for s in self.substeps]


TITLES = {
    "d.real": ("D", "Real samples drawn"),
    "d.fake": ("D", "G turns noise into fakes"),
    "d.scores": ("D", "D scores both"),
    "d.loss": ("D", "D's loss"),
    "d.update": ("D", "D's gradients and update"),
    "g.noise": ("G", "Fresh noise"),
    "g.fake": ("G", "G turns it into fakes"),
    "g.scores": ("G", "D scores the fakes"),
    "g.loss": ("G", "G's loss"),
    "g.grad": ("G", "G's gradient flows back onto each fake"),
    "g.update": ("G", "G's update"),
}


def _mean(t: Tensor) -> float:
    return float(t.detach().float().mean())


def _describe(stage: str, v: dict[str, float], kind: str, verdict: str) -> str:
    """The sentence after a sub-step's title: what happened, with the numbers the step used."""
    things = "points" if kind == "points" else "images"
    texts: dict[str, Callable[[], str]] = {
        "d.real": lambda: f"{v['n']:.0f} real {things} from the data set.",
        "d.fake": lambda: f"{v['n']:.0f} noise vectors z through G, which is not trained now.",
        "d.scores": lambda: f"mean {verdict} on the real {things} {v['d_real']:.4f}, on the fakes {v['d_fake']:.4f}.",
        "d.loss": lambda: (
            f"{v['loss']:.4f}"
            + (f" (+ penalty {v['penalty']:.4f})" if v["penalty"] else "")
            + ": low when D tells real from fake."
        ),
        "d.update": lambda: (
            f"gradient norm {v['grad_norm']:.4f}. On the same batch D now says "
            f"{v['d_real_after']:.4f} for the real {things} (was {v['d_real']:.4f}) and "
            f"{v['d_fake_after']:.4f} for the fakes (was {v['d_fake']:.4f})"
            + (": its surface moved." if kind == "points" else ".")
            if "d_real_after" in v
            else f"gradient norm {v['grad_norm']:.4f}; D's weights change."
        ),
        "g.noise": lambda: f"{v['n']:.0f} new noise vectors z ({v['z_dim']:.0f} numbers each).",
        "g.fake": lambda: "G maps each z to a fake; D is frozen for G's half.",
        "g.scores": lambda: f"mean {verdict} on the new fakes {v['d_fake']:.4f}.",
        "g.loss": lambda: f"{v['loss']:.4f}: low when D takes the fakes for real.",
        "g.grad": lambda: (
            f"-dLoss/dx on each fake (mean length {v['grad']:.3g}): the arrows, where G wants each fake to move."
        ),
        "g.update": lambda: (
            f"gradient norm {v['grad_norm']:.4f}; from the same z, G's fakes moved "
            f"{v['moved']:.3g} on average ("
            + ("faint: before, solid: after)." if kind == "points" else "left: before, right: after).")
        ),
    }
    return texts[stage]()


@contextlib.contextmanager
def frozen(*modules: nn.Module) -> Iterator[None]:
    """No gradients, and every buffer (BatchNorm statistics, spectral norm's vectors) put back
    afterwards: a look at a network that leaves no trace on training."""
    saved = [[b.detach().clone() for b in m.buffers()] for m in modules]
    try:
        with torch.no_grad():
            yield
    finally:
        with torch.no_grad():
            for m, buffers in zip(modules, saved):
                for b, old in zip(m.buffers(), buffers):
                    b.copy_(old)


class Recorder:
    """The watch slow motion swaps in: copies each sub-step's tensors as the trainer passes it."""

    active = True

    def __init__(self, trainer, extent) -> None:
        self.trainer = trainer
        self.extent = extent
        self.points = trainer.data.kind == "points"
        self.dim = trainer.data.shape[0] if self.points else 0
        self.substeps: list[SubStep] = []
        self.rounds = {"D": 0, "G": 0}
        self.surface: np.ndarray | None = None
        self._fake_before: Tensor | None = None
        self.verdict = "D(x)" if trainer.objective.probabilities else "critic score"
        self._batch: dict[str, Tensor] = {}
        self._scores: dict[str, float] = {}  # D's real and fake batch, re-scored after D's update

    def _surface(self) -> np.ndarray | None:
        if not self.points or self.extent is None:
            return None
        tr = self.trainer
        with frozen(tr.D), probes._EvalMode(tr.D):
            if self.dim == 1:  # D(x) on the line, drawn as vertical stripes over the 1D strip
                xs = torch.linspace(self.extent[0], self.extent[1], probes.SURFACE_RES, device=tr.device)[:, None]
                row = tr.D(xs).float().flatten()
                row = (
                    torch.sigmoid(row)
                    if tr.objective.probabilities
                    else (row - row.min()) / (row.max() - row.min()).clamp_min(1e-8)
                )
                return np.tile(row.cpu().numpy(), (probes.SURFACE_RES, 1))
            return probes._surface(tr.D, self.extent, probes.SURFACE_RES, tr.objective.probabilities, tr.device)[0]

    def _score(self, t: Tensor) -> Tensor:
        t = t.detach().float().flatten()
        return torch.sigmoid(t) if self.trainer.objective.probabilities else t

    def see(self, stage: str, **t: Tensor | None) -> None:
        if stage in ("d.begin", "g.begin"):
            self.rounds[stage[0].upper()] += 1
            if stage == "d.begin" or self.surface is None:
                self.surface = self._surface()
            return
        values, shown = self._values(stage, t)
        if stage == "d.update":
            self.surface = self._surface()  # D's surface changes here, and only here
        if self.surface is not None:
            shown["surface"] = self.surface
        network, title = TITLES[stage]
        number = len(self.substeps) + 1
        caption = f"{number}. {network} · {title}: " + _describe(stage, values, self.trainer.data.kind, self.verdict)
        self.substeps.append(SubStep(number, network, self.rounds[network], stage, title, caption, values, shown))

    def _values(self, stage: str, t: dict[str, Tensor | None]) -> tuple[dict[str, float], dict[str, Any]]:
        """(the numbers a caption quotes, CPU copies of what the frame draws), by the stage's reader."""
        cpu = {k: v.detach().float().cpu().clone() for k, v in t.items() if isinstance(v, Tensor) and v.dim() > 0}
        v: dict[str, float] = {}
        reader = self._READERS.get(stage)
        if reader is not None:
            getattr(self, reader)(stage, t, cpu, v)
        return v, cpu

    # stage -> the method that reads its numbers (each fills ``v`` and may add to ``cpu``)
    _READERS = {
        "d.real": "_read_real",
        "d.fake": "_read_fake",
        "g.fake": "_read_fake",
        "g.noise": "_read_noise",
        "d.scores": "_read_scores",
        "g.scores": "_read_scores",
        "d.loss": "_read_loss",
        "g.loss": "_read_loss",
        "g.grad": "_read_grad",
        "d.update": "_read_update",
        "g.update": "_read_update",
    }

    def _read_real(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        v["n"] = len(cpu["real"])
        self._batch["real"] = t["real"].detach()

    def _read_fake(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        v["n"] = len(cpu["fake"])
        if stage == "g.fake":
            self._fake_before = cpu["fake"]
        else:
            self._batch["fake"] = t["fake"].detach()

    def _read_noise(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        v.update(n=len(cpu["z"]), z_dim=cpu["z"].shape[1])

    def _read_scores(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        for key in ("d_real", "d_fake"):
            if key in t:
                cpu[key] = self._score(t[key]).cpu()
                v[key] = _mean(cpu[key])
        if stage == "d.scores":
            self._scores = dict(v)

    def _read_loss(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        v["loss"] = float(t["loss"].detach().float())
        if "penalty" in t:
            v["penalty"] = float(t["penalty"].detach().float())

    def _read_grad(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        if t.get("grad") is None:
            raise GanLabError("slow motion could not read G's gradient on the fakes")
        v["grad"] = float(cpu["grad"].flatten(1).norm(dim=1).mean())

    def _read_update(self, stage: str, t: dict, cpu: dict, v: dict) -> None:
        v["grad_norm"] = float(t["grad_norm"].detach().float())
        if stage == "d.update":
            v.update(self._rescore())
        else:
            cpu["fake_after"] = self._regenerate(t["z"], t.get("labels"))
            cpu["fake"] = self._fake_before
            v["moved"] = float((cpu["fake_after"] - cpu["fake"]).flatten(1).norm(dim=1).mean())

    def _rescore(self) -> dict[str, float]:
        """D's mean verdicts on its batch before and after its update (unconditional D only: a
        conditional D would need the batch's labels, which the caption does not quote)."""
        tr = self.trainer
        if tr.D.num_classes or "real" not in self._batch or "fake" not in self._batch:
            return {}
        with frozen(tr.D), tr.autocast():
            after = {
                f"{k}_after": _mean(self._score(tr.D(self._batch[k.removeprefix('d_')]))) for k in ("d_real", "d_fake")
            }
        return {**self._scores, **after}

    def _regenerate(self, z: Tensor, labels: Tensor | None) -> Tensor:
        """The same z through the updated G (in training mode, its statistics put back)."""
        g = self.trainer.G
        with frozen(g), self.trainer.autocast():
            return g(z, labels).float().cpu()


def record_iteration(trainer, extent=None) -> tuple[SlowStep, list]:
    """Train one iteration of ``trainer`` (a GAN :class:`~ganlab.families.gan.trainer.Trainer`) in
    slow motion; returns its sub-steps and the statistics ``run(1)`` returned."""
    if not hasattr(trainer, "watch"):
        raise GanLabError(
            "slow motion takes apart the GAN step (MLP and DCGAN models); this run's model has a step of its own"
        )
    recorder = Recorder(trainer, extent)
    trainer.watch = recorder
    try:
        stats = trainer.run(1)
    finally:
        trainer.watch = NO_WATCH
    slow = SlowStep(
        step=trainer.step_count,
        data_kind=trainer.data.kind,
        substeps=tuple(recorder.substeps),
        extent=tuple(extent) if extent is not None else None,
        probabilities=trainer.objective.probabilities,
    )
    return slow, stats
