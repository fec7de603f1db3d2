"""Eyes inside one GAN iteration: the trainer calls ``watch.see(stage, **tensors)`` at each sub-step.

Normal training watches with :data:`NO_WATCH`, whose ``see`` does nothing, so
the step's numbers are the same with or without a watcher: slow motion
(:mod:`ganlab.families.gan.slowmo`) swaps in a recorder for one iteration and
reads what the step computed, never what a second computation guessed. A
watcher must not draw random numbers or change a network (it may read them).
"""

from __future__ import annotations

from typing import Protocol

from torch import Tensor

# the stages, in the order one iteration passes them (each D update, then each G update)
D_STAGES = ("d.begin", "d.real", "d.fake", "d.scores", "d.loss", "d.update")
G_STAGES = ("g.begin", "g.noise", "g.fake", "g.scores", "g.loss", "g.grad", "g.update")


class StepWatch(Protocol):
    active: bool

    def see(self, stage: str, **tensors: Tensor | None) -> None:
        """Called by the trainer at ``stage`` with the tensors it has just computed."""


class _NoWatch:
    """The default: nothing watches, nothing is kept."""

    active = False

    def see(self, stage: str, **tensors: Tensor | None) -> None:
        return None


NO_WATCH: StepWatch = _NoWatch()
