"""Training configuration: plain dataclasses, validated once at the edge.

The UI, the CLI and tests build a :class:`TrainConfig`, call ``validate()``
and hand it to the core; nothing downstream re-checks fields.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

from ganlab.engine.config import JsonConfig, Range, check_field, reject_unknown_fields
from ganlab.engine.config import choice as _choice
from ganlab.engine.optim import LR_DECAYS
from ganlab.errors import ConfigError
from ganlab.nn.losses import OBJECTIVES

OPTIMIZERS = ("adam", "sgd", "rmsprop")
NOISE_TYPES = ("normal", "uniform")
NORMS = ("batch", "instance", "none")
MODEL_FAMILIES = ("auto", "mlp", "dcgan")
CONDITIONING = ("projection", "concat")
PRECISIONS = ("auto", "fp32", "bf16")
IMAGE_SIZES = (16, 28, 32, 64)
OBJECTIVE_NAMES = tuple(OBJECTIVES)  # the objective registry (ganlab.nn.losses) owns the names


@dataclass
class OptimizerConfig:
    """One network's optimizer: name, learning rate and (Adam/RMSprop) betas."""

    name: str = "adam"
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999

    RANGES: ClassVar[dict[str, Range]] = {
        "lr": Range(0.0, 10.0, whole=False, low_open=True),
        "beta1": Range(0.0, 1.0, whole=False, high_open=True),
        "beta2": Range(0.0, 1.0, whole=False, high_open=True),
    }

    def validate(self, prefix: str) -> None:
        _choice(f"{prefix}.name", self.name, OPTIMIZERS)
        for name in ("lr", "beta1", "beta2"):
            check_field(self, name, prefix)


class AdversarialConfig(JsonConfig):
    """JSON round trip and copies for a config with a G and a D optimizer (``g_optim``, ``d_optim``):
    the GAN and StyleGAN families share it, so ``g_lr``/``d_lr`` edits mean the same in both."""

    @classmethod
    def from_dict(cls, data: dict[str, Any]):
        """Build from a dict, rejecting unknown keys by name (``g_optim.lr`` for a nested one)."""
        reject_unknown_fields(cls, data, "config")
        values = dict(data)
        for key in ("g_optim", "d_optim"):
            if key in values and not isinstance(values[key], OptimizerConfig):
                reject_unknown_fields(OptimizerConfig, values[key], "optimizer", where=key)
                values[key] = OptimizerConfig(**values[key])
        return cls(**values)

    def updated(self, **changes: Any):
        """A copy with some fields changed (``g_lr``/``d_lr`` reach into the optimizers)."""
        g_lr, d_lr = changes.pop("g_lr", None), changes.pop("d_lr", None)
        new = replace(self, **changes)
        if g_lr is not None:
            new.g_optim = replace(new.g_optim, lr=g_lr)
        if d_lr is not None:
            new.d_optim = replace(new.d_optim, lr=d_lr)
        return new


@dataclass
class TrainConfig(AdversarialConfig):
    """Everything that defines a training run; JSON round-trips exactly."""

    dataset: str = "ring8"
    data_root: str | None = None  # None: $GANLAB_DATA, then ~/.cache/ganlab/data
    download: bool = False  # torchvision sets only: fetch when missing
    image_size: int | None = None  # None: the data set's natural size
    model: str = "auto"  # auto: mlp for 2D points, dcgan for images
    width: int = 128  # hidden units (mlp) or base channels (dcgan)
    depth: int = 3  # hidden layers (mlp only)
    norm: str = "batch"  # dcgan normalisation
    # D's own, where it differs (e.g. "none" for R1 in a D without BatchNorm); None: the same as norm
    d_norm: str | None = None
    conditional: bool = False
    conditioning: str = "concat"  # how D sees the label: one-hot planes, or a projection
    objective: str = "nonsaturating"
    gp_weight: float = 10.0  # wgan-gp penalty weight
    r1_weight: float = 0.0  # R1 penalty gamma (0: off)
    r1_every: int = 1  # lazy R1 (StyleGAN2): apply it every k D updates, scaled by k
    clip_value: float = 0.01  # wgan weight clipping
    spectral_norm: bool = False  # on D's layers
    z_dim: int = 64
    noise: str = "normal"
    g_optim: OptimizerConfig = field(default_factory=OptimizerConfig)
    d_optim: OptimizerConfig = field(default_factory=OptimizerConfig)
    d_steps: int = 1  # D updates per iteration
    g_steps: int = 1  # G updates per iteration (after the D updates); both editable while a run is live
    batch_size: int = 64
    steps: int = 2000
    seed: int = 0
    device: str = "auto"
    snapshot_every: int = 100
    ema: float = 0.0  # EMA decay of G's weights (0: off, e.g. 0.999)
    lr_decay: str = "none"  # "linear": learning rates fall linearly to 0 over the second half
    precision: str = (
        "auto"  # auto: bf16 autocast for images on CPUs with native bf16 and of 64 px up on CUDA, else fp32
    )

    RANGES: ClassVar[dict[str, Range]] = {  # every numeric field's bounds: validate() and the UI read them
        "width": Range(4, 512),
        "depth": Range(0, 5),
        "gp_weight": Range(0.0, 1000.0, whole=False),
        "r1_weight": Range(0.0, 1000.0, whole=False),
        "r1_every": Range(1, 64),
        "clip_value": Range(0.0, 10.0, whole=False, low_open=True),
        "z_dim": Range(1, 1024),
        "d_steps": Range(1, 20),
        "g_steps": Range(1, 20),
        "batch_size": Range(1, 4096),
        "steps": Range(1, 10_000_000),
        "seed": Range(0, 2**63 - 1),
        "snapshot_every": Range(1, 10_000_000),
        "ema": Range(0.0, 1.0, whole=False, high_open=True),
    }
    MLP_MAX_WIDTH: ClassVar[int] = 256

    # -- validation -------------------------------------------------------
    def validate(self) -> "TrainConfig":
        """Raise :class:`ConfigError` naming the first bad field; return self."""
        if not isinstance(self.dataset, str) or not self.dataset.strip():
            raise ConfigError("dataset: must be a data set name, e.g. 'ring8' or 'digits'")
        if self.image_size is not None:
            _choice("image_size", self.image_size, IMAGE_SIZES)
        _choice("model", self.model, MODEL_FAMILIES)
        check_field(self, "width")
        check_field(self, "depth")
        if self.model == "mlp" and self.width > self.MLP_MAX_WIDTH:
            raise ConfigError(f"width: MLP width must be in [4, {self.MLP_MAX_WIDTH}], got {self.width!r}")
        _choice("norm", self.norm, NORMS)
        if self.d_norm is not None:
            _choice("d_norm", self.d_norm, NORMS)
        _choice("conditioning", self.conditioning, CONDITIONING)
        _choice("objective", self.objective, OBJECTIVE_NAMES)
        for name in ("gp_weight", "r1_weight", "r1_every", "clip_value", "z_dim"):
            check_field(self, name)
        _choice("noise", self.noise, NOISE_TYPES)
        self.g_optim.validate("g_optim")
        self.d_optim.validate("d_optim")
        for name in ("d_steps", "g_steps", "batch_size", "steps", "seed"):
            check_field(self, name)
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device: must be 'auto', 'cpu', 'mps' or 'cuda:N'")
        check_field(self, "snapshot_every")
        check_field(self, "ema")
        _choice("precision", self.precision, PRECISIONS)
        _choice("lr_decay", self.lr_decay, LR_DECAYS)
        return self
