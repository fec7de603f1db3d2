"""The restoration family: paired data made on the fly from clean images (a degraded input and
its clean target), ``pix2pix`` for denoising and inpainting, ``srresnet``/``srgan`` for x4
super-resolution, scored with PSNR/SSIM against the trivial baseline."""

from ganlab.engine.family import Family
from ganlab.families.restore import models as _models  # noqa: F401  (registers the architectures)
from ganlab.families.restore.config import MODELS, RestoreConfig
from ganlab.families.restore.job import RestoreJob
from ganlab.families.restore.presets import PRESETS
from ganlab.families.restore.state import KIND, restore_restore
from ganlab.families.restore.trainer import RestoreTrainer

FAMILY = Family(
    name="restore",
    summary="paired restoration: x4 super-resolution (SRResNet/SRGAN), denoising and inpainting (pix2pix)",
    config=RestoreConfig,
    runner=RestoreTrainer,
    job=RestoreJob,
    restore=restore_restore,
    checkpoint_kind=KIND,
    models=MODELS,
    claims=lambda dataset: False,  # chosen by --model or --family
    cli="ganlab.families.restore.cli",
    presets=PRESETS,
)
