"""Kept for code written against the first release: ``from ganlab.training import Trainer``.
The GAN trainer now lives in :mod:`ganlab.families.gan.trainer`."""

from ganlab.families.gan.trainer import StepStats, Trainer, make_noise

__all__ = ["StepStats", "Trainer", "make_noise"]
