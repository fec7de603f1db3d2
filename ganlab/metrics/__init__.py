"""Metrics as plain functions: 2D mode coverage here; image metrics in their own modules."""

from ganlab.metrics.toy2d import ModeCoverage, mode_coverage

__all__ = ["ModeCoverage", "mode_coverage"]
