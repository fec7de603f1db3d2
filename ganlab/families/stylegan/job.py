"""A StyleGAN run live in the app: the GAN family's :class:`TrainingJob` (history, fixed grid,
timelapse, health) with a StyleGAN trainer inside and StyleGAN checkpoints out.

The trainer records the GAN's statistics and offers the attributes the job reads, so nothing
else here differs."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ganlab.data import DataSource
from ganlab.families.gan.job import TrainingJob, cached_dataset
from ganlab.families.stylegan import health
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.trainer import StyleGANTrainer


class StyleGANJob(TrainingJob):
    """One StyleGAN run, trained in the background; ``snapshot`` is what the views show."""

    health_checks = health.CHECKS  # the GAN checks plus mapping collapse and loud noise
    live_settings = ("g_lr", "d_lr", "objective")  # one D and one G update per iteration, always both

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self._style_series: dict[str, list[tuple]] = {"w_spread": [], "noise": []}  # before the first snapshot
        super().__init__(*args, **kwargs)

    def health_extra(self, step: int) -> dict:
        """w's spread and the loudest noise input, one point per snapshot step (shown in the status)."""
        tr = self.trainer
        self.signals = health.style_signals(tr.G, tr.fixed_z, tr.fixed_labels)
        for name, item in (
            ("w_spread", (step, self.signals["w_spread"])),
            ("noise", (step, self.signals["noise_layer"], self.signals["noise_strength"])),
        ):
            series = self._style_series[name]
            if series and series[-1][0] == step:
                series.pop()  # a second look at the same step: keep the newer measurement
            series.append(item)
        return {name: tuple(series) for name, series in self._style_series.items()}

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
