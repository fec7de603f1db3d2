"""The GAN family: MLP pairs for 2D points and DCGANs for images (optionally class-conditional),
six objectives, the 2D probes, health signals and lessons."""

from ganlab.families.gan import models as _models  # noqa: F401  (registers the architectures)
