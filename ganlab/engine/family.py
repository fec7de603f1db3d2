"""What a model family gives the engine: a record, not a fork.

The engine, the ``train`` command and the app's tabs know families only
through this record; a family is one package under ``ganlab/families`` that
builds one :class:`Family` and one line in ``ganlab.families.FAMILIES``.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any, Callable, Mapping

from ganlab.engine.job import RunJob
from ganlab.engine.runner import StepRunner


@dataclass(frozen=True)
class Family:
    """One model family and everything the shared machinery needs from it.

    ``runner(cfg, data=None)`` builds a trainer (a :class:`StepRunner`) for a validated config;
    ``job(cfg, data=None, ...)`` the live run the app watches; ``restore(folder, device=None)``
    continues a saved run exactly. ``claims(dataset)`` says whether the family can train on a
    data set, and ``default`` breaks a tie when several can. ``cli`` names the module with the
    family's ``train`` flags and outputs (``add_arguments``, ``start``, ``resume``,
    ``loop_hooks``, ``finish``), imported only when the command runs. ``generator`` puts the
    family's generator modules behind :mod:`ganlab.inference.protocol` (None: it has none).
    ``distributed`` says whether ``torchrun ... train`` may split its runs over processes.
    """

    name: str
    summary: str
    config: type  # dataclass with validate(), from_dict(), to_json(), updated()
    runner: Callable[..., StepRunner]
    job: type[RunJob]
    restore: Callable[..., StepRunner]
    checkpoint_kind: str  # model.json "kind" of its resumable runs
    models: tuple[str, ...]  # --model values that mean this family
    claims: Callable[[str], bool]
    cli: str
    presets: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    generator: Callable[[Any, str], Any] | None = None  # (module, noise) -> LatentGenerator or None
    default: bool = False
    distributed: bool = False  # trains under torchrun (its step shards the batch: engine.distributed)

    def cli_module(self) -> ModuleType:
        return importlib.import_module(self.cli)

    def start(self, cfg: Any, data: Any = None, paused: bool = False, **kwargs: Any) -> RunJob:
        """Build the family's live run and start it; GanLabError (e.g. "busy") for the user."""
        job = self.job(cfg, data, **kwargs)
        job.start(paused=paused)
        return job
