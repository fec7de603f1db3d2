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
from typing import Any, ClassVar

from ganlab.data.named import DEFAULT_SET
from ganlab.engine.config import JsonConfig, Range, check_field, choice, integer, reject_unknown_fields
from ganlab.errors import ConfigError
from ganlab.families.cyclegan.models import UPSAMPLERS
from ganlab.families.gan.config import PRECISIONS


@dataclass
class CycleGANConfig(JsonConfig):
    """Everything that defines a CycleGAN run; JSON round-trips exactly."""

    dataset: str = DEFAULT_SET  # or unpaired:DIR_A,DIR_B
    data_root: str | None = None
    image_size: int = 256  # training crop (the generator is fully convolutional at test time)
    load_size: int | None = None  # images are resized to this before cropping; None: 286/256 x crop
    max_images: int | None = None  # per domain (an even spread), None: all
    flip: bool = True
    ngf: int = 64
    ndf: int = 64
    n_blocks: int = 9
    upsample: str = "deconv"  # G's 2x upsampling: the release's transposed conv, or "resize" (no checkerboard)
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

    RANGES: ClassVar[dict[str, Range]] = {  # every numeric field's bounds: validate() and the UI read them
        "image_size": Range(16, 1024),
        "load_size": Range(16, 2048),
        "max_images": Range(1, 1_000_000),
        "ngf": Range(4, 256),
        "ndf": Range(4, 256),
        "n_blocks": Range(0, 16),
        "n_layers_d": Range(1, 5),
        "lambda_cycle": Range(0.0, 1000.0, whole=False),
        "lambda_identity": Range(0.0, 10.0, whole=False),
        "pool_size": Range(0, 1000),
        "lr": Range(0.0, 1.0, whole=False, low_open=True),
        "beta1": Range(0.0, 1.0, whole=False, high_open=True),
        "beta2": Range(0.0, 1.0, whole=False, high_open=True),
        "batch_size": Range(1, 256),
        "steps": Range(1, 10_000_000),
        "decay_from": Range(0.0, 1.0, whole=False),
        "seed": Range(0, 2**63 - 1),
    }

    @property
    def resolved_load_size(self) -> int:
        return self.load_size or int(round(self.image_size * 286 / 256))

    def validate(self) -> "CycleGANConfig":
        """Raise :class:`ConfigError` naming the first bad field; return self."""
        if not isinstance(self.dataset, str) or not self.dataset.strip():
            raise ConfigError(f"dataset: must be unpaired:DIR_A,DIR_B or {DEFAULT_SET}")
        check_field(self, "image_size")
        if self.image_size % 4:
            raise ConfigError(f"image_size: must be a multiple of 4; got {self.image_size}")
        if self.load_size is not None:  # never below the crop it is cut to
            integer("load_size", self.load_size, self.image_size, int(self.RANGES["load_size"].high))
        if self.max_images is not None:
            check_field(self, "max_images")
        for name in (
            "ngf",
            "ndf",
            "n_blocks",
            "n_layers_d",
            "lambda_cycle",
            "lambda_identity",
            "pool_size",
            "lr",
            "beta1",
            "beta2",
            "batch_size",
            "steps",
            "decay_from",
            "seed",
        ):
            check_field(self, name)
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device: must be 'auto', 'cpu', 'mps' or 'cuda:N'")
        choice("precision", self.precision, PRECISIONS)
        choice("upsample", self.upsample, UPSAMPLERS)
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "CycleGANConfig":
        """Build from a dict, rejecting unknown keys by name."""
        reject_unknown_fields(cls, data, "CycleGAN config")
        return cls(**data)

    def updated(self, **changes: Any) -> "CycleGANConfig":
        return replace(self, **changes)
