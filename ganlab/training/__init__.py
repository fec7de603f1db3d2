"""Training: the step-at-a-time Trainer and the run loop shared by the CLI and UI."""

from .trainer import StepStats, Trainer, make_noise

__all__ = ["StepStats", "Trainer", "make_noise"]
