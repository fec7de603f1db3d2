"""The StyleGAN family: a style-based generator (mapping network, W+ styles, modulated or AdaIN
layers, per-layer noise, toRGB skips) small enough to train live on a CPU, behind the generator
protocol; style mixing and SeFa directions in :mod:`ganlab.families.stylegan.generator`."""

from ganlab.data import is_known_dataset, is_points_dataset
from ganlab.engine.family import Family
from ganlab.families.stylegan import models as _models  # noqa: F401  (registers the architectures)
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.generator import adapt
from ganlab.families.stylegan.job import StyleGANJob
from ganlab.families.stylegan.presets import PRESETS
from ganlab.families.stylegan.state import restore_stylegan
from ganlab.families.stylegan.trainer import StyleGANTrainer
from ganlab.data.named import is_unpaired


def claims(dataset: str) -> bool:
    """Image data sets only (never 2D points, never unpaired photo pairs); not the default."""
    return is_known_dataset(dataset) and not is_points_dataset(dataset) and not is_unpaired(dataset)


FAMILY = Family(
    name="stylegan",
    summary="style-based generator: mapping network, W+ styles, noise, style mixing",
    config=StyleGANConfig,
    runner=StyleGANTrainer,
    job=StyleGANJob,
    restore=restore_stylegan,
    checkpoint_kind="stylegan",
    models=("stylegan",),
    claims=claims,
    cli="ganlab.families.stylegan.cli",
    presets=PRESETS,
    generator=adapt,
)
