"""CycleGAN training configuration: the paper's recipe as defaults, validated once.

Defaults follow Zhu et al. 2017 and the official release: LSGAN loss,
cycle weight 10, identity weight 0.5 (times the cycle weight), a pool of 50
generated images for D, Adam 2e-4 with betas (0.5, 0.999), a constant rate
for the first half and a linear decay to zero over the second, batch 1,
286 px loads cropped to 256 px, ngf/ndf 64, 9 residual blocks. Smaller
``ngf``/``n_blocks``/``image_size`` make it practical on a CPU.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from ganlab.families.gan.config import PRECISIONS, JsonConfig, _choice, _integer, _number, reject_unknown_fields
from ganlab.errors import ConfigError


@dataclass
class CycleGANConfig(JsonConfig):
    """Everything that defines a CycleGAN run; JSON round-trips exactly."""

    dataset: str = "summer2winter"  # or unpaired:DIR_A,DIR_B
    data_root: str | None = None
    image_size: int = 256  # training crop (the generator is fully convolutional at test time)
    load_size: int | None = None  # images are resized to this before cropping; None: 286/256 x crop
    max_images: int | None = None  # per domain (an even spread), None: all
    flip: bool = True
    ngf: int = 64
    ndf: int = 64
    n_blocks: int = 9
    n_layers_d: int = 3
    lambda_cycle: float = 10.0
    lambda_identity: float = 0.5  # relative to lambda_cycle, as in the release
    pool_size: int = 50
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999
    batch_size: int = 1
    steps: int = 10_000
    decay_from: float = 0.5  # fraction of steps after which the rate falls linearly to 0
    seed: int = 0
    device: str = "auto"
    precision: str = "auto"  # auto: bf16 autocast on CUDA, fp32 elsewhere
    # off by default: InstanceNorm returns NCHW whatever it is given, so channels_last
    # would add a layout conversion after every norm layer
    channels_last: bool = False

    @property
    def resolved_load_size(self) -> int:
        return self.load_size or int(round(self.image_size * 286 / 256))

    def validate(self) -> "CycleGANConfig":
        """Raise :class:`ConfigError` naming the first bad field; return self."""
        if not isinstance(self.dataset, str) or not self.dataset.strip():
            raise ConfigError("dataset: must be unpaired:DIR_A,DIR_B or summer2winter")
        _integer("image_size", self.image_size, 16, 1024)
        if self.image_size % 4:
            raise ConfigError(f"image_size: must be a multiple of 4; got {self.image_size}")
        if self.load_size is not None:
            _integer("load_size", self.load_size, self.image_size, 2048)
        if self.max_images is not None:
            _integer("max_images", self.max_images, 1, 1_000_000)
        _integer("ngf", self.ngf, 4, 256)
        _integer("ndf", self.ndf, 4, 256)
        _integer("n_blocks", self.n_blocks, 0, 16)
        _integer("n_layers_d", self.n_layers_d, 1, 5)
        _number("lambda_cycle", self.lambda_cycle, 0.0, 1000.0)
        _number("lambda_identity", self.lambda_identity, 0.0, 10.0)
        _integer("pool_size", self.pool_size, 0, 1000)
        _number("lr", self.lr, 0.0, 1.0, low_open=True)
        _number("beta1", self.beta1, 0.0, 1.0, high_open=True)
        _number("beta2", self.beta2, 0.0, 1.0, high_open=True)
        _integer("batch_size", self.batch_size, 1, 256)
        _integer("steps", self.steps, 1, 10_000_000)
        _number("decay_from", self.decay_from, 0.0, 1.0)
        _integer("seed", self.seed, 0, 2**63 - 1)
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device: must be 'auto', 'cpu', 'mps' or 'cuda:N'")
        _choice("precision", self.precision, PRECISIONS)
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CycleGANConfig":
        """Build from a dict, rejecting unknown keys by name."""
        reject_unknown_fields(cls, data, "CycleGAN config")
        return cls(**data)

    def updated(self, **changes: Any) -> "CycleGANConfig":
        return replace(self, **changes)
