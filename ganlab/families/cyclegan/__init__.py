"""The CycleGAN family: two ResNet generators and two PatchGAN discriminators trained on unpaired
photos (Zhu et al. 2017), official ``.pth`` import and one-direction exports."""

from ganlab.data.named import is_unpaired
from ganlab.engine.family import Family
from ganlab.families.cyclegan import models as _models  # noqa: F401  (registers the architectures)
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.job import CycleGANJob
from ganlab.families.cyclegan.presets import PRESETS
from ganlab.families.cyclegan.state import restore_cyclegan
from ganlab.families.cyclegan.trainer import CycleGANTrainer

FAMILY = Family(
    name="cyclegan",
    summary="unpaired photo translation: two ResNet generators, two PatchGANs",
    config=CycleGANConfig,
    runner=CycleGANTrainer,
    job=CycleGANJob,
    restore=restore_cyclegan,
    checkpoint_kind="cyclegan",
    models=("cyclegan",),
    claims=is_unpaired,
    cli="ganlab.families.cyclegan.cli",
    presets=PRESETS,
)
