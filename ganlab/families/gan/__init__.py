"""The GAN family: MLP pairs for 2D points and DCGANs for images (optionally class-conditional),
six objectives, the 2D probes, health signals and lessons."""

from ganlab.data import is_known_dataset
from ganlab.engine.family import Family
from ganlab.families.gan import models as _models  # noqa: F401  (registers the architectures)
from ganlab.families.gan.config import MODEL_FAMILIES, TrainConfig
from ganlab.families.gan.generator import adapt
from ganlab.families.gan.job import TrainingJob
from ganlab.families.gan.presets import PRESETS
from ganlab.families.gan.state import restore_trainer
from ganlab.families.gan.trainer import Trainer

FAMILY = Family(
    name="gan",
    summary="MLP GANs on 2D points, DCGANs on images (six objectives, conditional)",
    config=TrainConfig,
    runner=Trainer,
    job=TrainingJob,
    restore=restore_trainer,
    checkpoint_kind="gan",
    models=tuple(m for m in MODEL_FAMILIES if m != "auto"),
    claims=is_known_dataset,
    cli="ganlab.families.gan.cli",
    presets=PRESETS,
    generator=adapt,
    default=True,
    distributed=True,
)
