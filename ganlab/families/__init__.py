"""Model families (filled in by the registry below)."""

from ganlab.families import cyclegan, gan  # noqa: F401
