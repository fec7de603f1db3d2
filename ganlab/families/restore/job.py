"""A restoration run in the background, watched through snapshots (no gradio here).

:class:`RestoreJob` is the engine's :class:`~ganlab.engine.job.RunJob` for a
:class:`~ganlab.families.restore.trainer.RestoreTrainer`; its snapshot holds the loss
history and a picture of (input, output, target) triplets on the validation batch.
"""

from __future__ import annotations

import csv
import io
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw
from torch import Tensor

from ganlab.engine.history import History
from ganlab.engine.job import RunJob
from ganlab.errors import ConfigError
from ganlab.families.restore.config import RestoreConfig
from ganlab.families.restore.trainer import HISTORY_COLUMNS, RestoreTrainer
from ganlab.render.images import to_pil

SCORE_EVERY_S = 5.0  # held-out PSNR/SSIM in the live view: at most this often while running
HEADERS = {
    "sr4": "bicubic  |  restored  |  original",
    "denoise": "noisy  |  restored  |  clean",
    "inpaint": "masked  |  inpainted  |  original",
}


def triplet_rows(triplets: dict[str, Tensor], title: str, cell: int = 96, gap: int = 4) -> Image.Image:
    """One row per example: input (bicubic for x4), output, target, under a one-line header."""
    rows = len(triplets["input"])
    header_h = 16
    canvas = Image.new("RGB", (3 * cell + 4 * gap, header_h + rows * (cell + gap) + gap), (255, 255, 255))
    ImageDraw.Draw(canvas).text((gap, 2), title, fill=(60, 60, 60))
    for i in range(rows):
        for j, key in enumerate(("input", "output", "target")):
            tile = to_pil(triplets[key][i]).resize((cell, cell), Image.NEAREST)
            canvas.paste(tile, (gap + j * (cell + gap), header_h + i * (cell + gap)))
    return canvas


@dataclass(frozen=True)
class RestoreSnapshot:
    """What the views show at one moment; never changed after it is published."""

    version: int
    state: str
    message: str
    step: int
    total_steps: int
    history: np.ndarray  # (steps, len(HISTORY_COLUMNS))
    triplets: Image.Image | None
    task: str
    model: str
    device: str
    dataset: str = ""
    steps_per_s: float = 0.0
    wall_time_s: float = 0.0
    scores: dict | None = None  # held-out val_/baseline_ PSNR, SSIM, L1 (RestoreTrainer.validate)
    created: float = field(default_factory=time.time)


class RestoreJob(RunJob):
    """One restoration run trained in its own thread; ``snapshot`` is what the views show."""

    def __init__(self, cfg: RestoreConfig, data=None, **kwargs) -> None:
        super().__init__(cfg, data, **kwargs)
        self.history = History(HISTORY_COLUMNS)
        self._scores: dict | None = None
        self._scored_at = (-1, 0.0)  # (step, time) of the last held-out scores
        self.snapshot: RestoreSnapshot = self.make_snapshot()

    def build_runner(self, cfg: RestoreConfig, data) -> RestoreTrainer:
        return RestoreTrainer(cfg, data)

    def record(self, stats: list) -> None:
        self.history.extend(stats)

    def make_snapshot(self) -> RestoreSnapshot:
        tr = self.trainer
        picture = self.picture_or_last(lambda: triplet_rows(tr.sample_triplets(), HEADERS[tr.cfg.task]), "triplets")
        return RestoreSnapshot(
            version=self.next_version(),
            state=self.state,
            message=self.message,
            step=tr.step_count,
            total_steps=self.total_steps,
            history=self.history.view(),
            triplets=picture,
            task=tr.cfg.task,
            model=tr.cfg.model,
            device=self.device_key,
            dataset=tr.data.name,
            steps_per_s=self.meter.rate,
            wall_time_s=tr.wall_time_s,
            scores=self._held_out_scores(),
        )

    def _held_out_scores(self) -> dict | None:
        """PSNR/SSIM of G and of the baseline on the validation batch, throttled while running."""
        step, at = self._scored_at
        now = time.monotonic()
        fresh = step == self.trainer.step_count or (self.state == "running" and now - at < SCORE_EVERY_S)
        if not fresh:
            try:
                self._scores = self.trainer.validate()
            except Exception:  # a score must never stop the run (e.g. NaN weights after divergence)
                pass
            self._scored_at = (self.trainer.step_count, now)
        return self._scores

    # -- outputs -----------------------------------------------------------------------------
    def save(self, folder: str | Path) -> Path:
        """A resumable run (G, D, optimizers, RNG) that ``restore`` and the Restore tab open."""
        from ganlab.families.restore.state import save_restore

        if self.trainer.step_count == 0:
            raise ConfigError("nothing to save yet: the run has not trained a step")
        return self.call(lambda: save_restore(self.trainer, folder, metrics=self.trainer.validate()))

    def loss_csv(self) -> str:
        """The step history as CSV text (a header row, then one row per step)."""
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(HISTORY_COLUMNS)
        for row in self.snapshot.history:
            writer.writerow([int(row[0])] + [f"{v:.6g}" for v in row[1:]])
        return out.getvalue()
