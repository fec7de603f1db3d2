"""A StyleGAN run's settings: one dataclass, validated once at the edge (``validate()`` names the
bad field), JSON round trip, and the same learning-rate edits as a GAN run (``g_lr``/``d_lr``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

from ganlab.engine.config import Range, check_field, choice
from ganlab.engine.optim import LR_DECAYS
from ganlab.errors import ConfigError
from ganlab.families.gan.config import IMAGE_SIZES, PRECISIONS, AdversarialConfig, OptimizerConfig
from ganlab.families.stylegan.layers import STYLE_LAYERS
from ganlab.families.stylegan.models import MAX_MAPPING_LAYERS

STYLE_BLOCKS = tuple(STYLE_LAYERS)  # "modulated" (StyleGAN2, default), "adain" (StyleGAN1)
# objectives whose update needs nothing but D's logits (no weight clipping, no WGAN-GP)
OBJECTIVE_NAMES = ("nonsaturating", "hinge", "lsgan", "minimax")


def _adam(lr: float) -> OptimizerConfig:
    return OptimizerConfig("adam", lr, 0.0, 0.99)  # StyleGAN2's betas


@dataclass
class StyleGANConfig(AdversarialConfig):
    """Everything that defines a StyleGAN run; defaults train 16-32 px images on a CPU."""

    dataset: str = "digits"
    data_root: str | None = None
    download: bool = False
    image_size: int | None = None  # None: the data set's natural size
    model: str = "stylegan"
    conditional: bool = False  # class embedding into the mapping network, projection in D
    z_dim: int = 64
    w_dim: int = 64
    mapping_layers: int = 4
    channels: int = 32  # base width: feature maps at full resolution (4x this at the coarse end)
    style_block: str = "modulated"
    objective: str = "nonsaturating"
    mixing_prob: float = 0.9  # style-mixing regularisation: two z's, a random crossover layer
    r1_weight: float = 1.0  # R1 gamma on real images (0: off)
    r1_every: int = 16  # lazy R1: every k-th D step, scaled by k
    pl_weight: float = 0.0  # path-length regularisation (0: off; StyleGAN2 uses 2)
    pl_every: int = 4  # lazy path length: every k-th G step, scaled by k
    ema: float = 0.999  # EMA decay of G's weights (0: off)
    noise: str = "normal"  # z's prior (kept for the generator protocol; always normal)
    g_optim: OptimizerConfig = field(default_factory=lambda: _adam(2e-3))
    d_optim: OptimizerConfig = field(default_factory=lambda: _adam(2e-3))
    batch_size: int = 32
    steps: int = 2000
    lr_decay: str = "none"  # "linear": both rates fall linearly to 0 over the second half
    seed: int = 0
    device: str = "auto"
    snapshot_every: int = 50
    precision: str = "fp32"  # auto/fp32/bf16 (bf16: autocast, on CUDA only sensible)

    RANGES: ClassVar[dict[str, Range]] = {
        "z_dim": Range(1, 1024),
        "w_dim": Range(1, 1024),
        "mapping_layers": Range(1, MAX_MAPPING_LAYERS),
        "channels": Range(4, 256),
        "mixing_prob": Range(0.0, 1.0, whole=False),
        "r1_weight": Range(0.0, 1000.0, whole=False),
        "r1_every": Range(1, 64),
        "pl_weight": Range(0.0, 100.0, whole=False),
        "pl_every": Range(1, 64),
        "ema": Range(0.0, 1.0, whole=False, high_open=True),
        "batch_size": Range(2, 4096),
        "steps": Range(1, 10_000_000),
        "seed": Range(0, 2**63 - 1),
        "snapshot_every": Range(1, 10_000_000),
    }

    def validate(self) -> "StyleGANConfig":
        """Raise :class:`ConfigError` naming the first bad field; return self."""
        if not isinstance(self.dataset, str) or not self.dataset.strip():
            raise ConfigError("dataset: must be an image data set name, e.g. 'digits' or 'mnist'")
        if self.image_size is not None:
            choice("image_size", self.image_size, IMAGE_SIZES)
        choice("model", self.model, ("stylegan",))
        choice("style_block", self.style_block, STYLE_BLOCKS)
        choice("objective", self.objective, OBJECTIVE_NAMES)
        choice("noise", self.noise, ("normal",))
        choice("precision", self.precision, PRECISIONS)
        choice("lr_decay", self.lr_decay, LR_DECAYS)
        for name in self.RANGES:
            check_field(self, name)
        self.g_optim.validate("g_optim")
        self.d_optim.validate("d_optim")
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device: must be 'auto', 'cpu', 'mps' or 'cuda:N'")
        return self
