"""A StyleGAN run live in the app: the GAN family's :class:`TrainingJob` (history, fixed grid,
timelapse, health) with a StyleGAN trainer inside and StyleGAN checkpoints out.

The trainer records the GAN's statistics and offers the attributes the job reads, so nothing
else here differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganlab.data import DataSource
from ganlab.families.gan.job import TrainingJob, cached_dataset
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.trainer import StyleGANTrainer


class StyleGANJob(TrainingJob):
    """One StyleGAN run, trained in the background; ``snapshot`` is what the views show."""

    def build_runner(self, cfg: StyleGANConfig, data: DataSource | None) -> StyleGANTrainer:
        return StyleGANTrainer(cfg, data if data is not None else cached_dataset(cfg))

    def save(self, folder: str | Path) -> Path:
        """Save a resumable checkpoint between chunks."""
        from ganlab.families.stylegan.state import save_stylegan

        snap = self.snapshot
        metrics: dict[str, Any] = {}
        if snap.classes is not None:
            metrics["classes_seen"] = snap.classes[0]
        return self.call(lambda: save_stylegan(self.trainer, folder, metrics=metrics, extra={"source": "app"}))
