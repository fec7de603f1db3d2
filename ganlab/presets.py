"""Kept for code written against the first release: ``from ganlab.presets import recommended_config``.
The GAN presets now live in :mod:`ganlab.families.gan.presets`."""

from ganlab.families.gan.presets import recommended, recommended_config

__all__ = ["recommended", "recommended_config"]
