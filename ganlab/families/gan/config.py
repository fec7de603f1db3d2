"""Training configuration: plain dataclasses, validated once at the edge.

The UI, the CLI and tests build a :class:`TrainConfig`, call ``validate()``
and hand it to the core; nothing downstream re-checks fields.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

from ganlab.errors import ConfigError

OPTIMIZERS = ("adam", "sgd", "rmsprop")
NOISE_TYPES = ("normal", "uniform")
NORMS = ("batch", "instance", "none")
MODEL_FAMILIES = ("auto", "mlp", "dcgan")
CONDITIONING = ("projection", "concat")
PRECISIONS = ("auto", "fp32", "bf16")
LR_DECAYS = ("none", "linear")
IMAGE_SIZES = (16, 28, 32, 64)
# Objective names are owned by ganlab.nn.losses; listed here to keep config import-light.
OBJECTIVE_NAMES = ("minimax", "nonsaturating", "lsgan", "wgan", "wgan-gp", "hinge")


@dataclass
class OptimizerConfig:
    """One network's optimizer: name, learning rate and (Adam/RMSprop) betas."""

    name: str = "adam"
    lr: float = 2e-4
    beta1: float = 0.5
    beta2: float = 0.999

    def validate(self, prefix: str) -> None:
        _choice(f"{prefix}.name", self.name, OPTIMIZERS)
        _number(f"{prefix}.lr", self.lr, 0.0, 10.0, low_open=True)
        _number(f"{prefix}.beta1", self.beta1, 0.0, 1.0, high_open=True)
        _number(f"{prefix}.beta2", self.beta2, 0.0, 1.0, high_open=True)


class JsonConfig:
    """JSON round trip shared by the config dataclasses (from_dict stays per class)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str):
        """Parse and build (``from_dict`` rejects unknown fields by name)."""
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            raise ConfigError(f"config: not valid JSON ({exc.msg} at line {exc.lineno})") from None
        return cls.from_dict(data)


@dataclass
class TrainConfig(JsonConfig):
    """Everything that defines a training run; JSON round-trips exactly."""

    dataset: str = "ring8"
    data_root: str | None = None  # None: $GANLAB_DATA, then ~/.cache/ganlab/data
    download: bool = False  # torchvision sets only: fetch when missing
    image_size: int | None = None  # None: the data set's natural size
    model: str = "auto"  # auto: mlp for 2D points, dcgan for images
    width: int = 128  # hidden units (mlp) or base channels (dcgan)
    depth: int = 3  # hidden layers (mlp only)
    norm: str = "batch"  # dcgan normalisation
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
    d_steps: int = 1
    batch_size: int = 64
    steps: int = 2000
    seed: int = 0
    device: str = "auto"
    snapshot_every: int = 100
    ema: float = 0.0  # EMA decay of G's weights (0: off, e.g. 0.999)
    lr_decay: str = "none"  # "linear": learning rates fall linearly to 0 over the second half
    precision: str = "auto"  # auto: bf16 autocast for images of 64 px and up on CUDA, else fp32

    # -- validation -------------------------------------------------------
    def validate(self) -> "TrainConfig":
        """Raise :class:`ConfigError` naming the first bad field; return self."""
        if not isinstance(self.dataset, str) or not self.dataset.strip():
            raise ConfigError("dataset: must be a data set name, e.g. 'ring8' or 'digits'")
        if self.image_size is not None:
            _choice("image_size", self.image_size, IMAGE_SIZES)
        _choice("model", self.model, MODEL_FAMILIES)
        _integer("width", self.width, 4, 512)
        _integer("depth", self.depth, 0, 5)
        if self.model == "mlp" and self.width > 256:
            raise ConfigError("width: MLP width must be in [4, 256], got %r" % self.width)
        _choice("norm", self.norm, NORMS)
        _choice("conditioning", self.conditioning, CONDITIONING)
        _choice("objective", self.objective, OBJECTIVE_NAMES)
        _number("gp_weight", self.gp_weight, 0.0, 1000.0)
        _number("r1_weight", self.r1_weight, 0.0, 1000.0)
        _integer("r1_every", self.r1_every, 1, 64)
        _number("clip_value", self.clip_value, 0.0, 10.0, low_open=True)
        _integer("z_dim", self.z_dim, 1, 1024)
        _choice("noise", self.noise, NOISE_TYPES)
        self.g_optim.validate("g_optim")
        self.d_optim.validate("d_optim")
        _integer("d_steps", self.d_steps, 1, 20)
        _integer("batch_size", self.batch_size, 1, 4096)
        _integer("steps", self.steps, 1, 10_000_000)
        _integer("seed", self.seed, 0, 2**63 - 1)
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device: must be 'auto', 'cpu', 'mps' or 'cuda:N'")
        _integer("snapshot_every", self.snapshot_every, 1, 10_000_000)
        _number("ema", self.ema, 0.0, 1.0, high_open=True)
        _choice("precision", self.precision, PRECISIONS)
        _choice("lr_decay", self.lr_decay, LR_DECAYS)
        return self

    # -- serialisation (to_dict/to_json from JsonConfig) --------------------
    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "TrainConfig":
        """Build from a dict, rejecting unknown keys by name."""
        reject_unknown_fields(cls, data, "config")
        values = dict(data)
        for key in ("g_optim", "d_optim"):
            if key in values and not isinstance(values[key], OptimizerConfig):
                reject_unknown_fields(OptimizerConfig, values[key], "optimizer", where=key)
                values[key] = OptimizerConfig(**values[key])
        return cls(**values)

    def updated(self, **changes: Any) -> "TrainConfig":
        """A copy with some fields changed (``g_lr``/``d_lr`` reach into the optimizers)."""
        g_lr = changes.pop("g_lr", None)
        d_lr = changes.pop("d_lr", None)
        new = replace(self, **changes)
        if g_lr is not None:
            new.g_optim = replace(new.g_optim, lr=g_lr)
        if d_lr is not None:
            new.d_optim = replace(new.d_optim, lr=d_lr)
        return new


# -- field checks -------------------------------------------------------------

def reject_unknown_fields(cls: type, data: Any, what: str, where: str = "") -> None:
    """A JSON object for dataclass ``cls`` may hold only its fields; name the first stranger
    (as ``where.name`` when the object sits in a field, e.g. ``g_optim.lr``)."""
    if not isinstance(data, dict):
        raise ConfigError(f"{where or what}: expected a JSON object")
    known = {f.name for f in fields(cls)}
    unknown = sorted(set(data) - known)
    if unknown:
        name = f"{where}.{unknown[0]}" if where else unknown[0]
        raise ConfigError(f"{name}: unknown {what} field (known: {', '.join(sorted(known))})")


def _choice(name: str, value: Any, allowed: tuple) -> None:
    if value not in allowed:
        raise ConfigError(f"{name}: must be one of {', '.join(map(str, allowed))}; got {value!r}")


def _integer(name: str, value: Any, low: int, high: int) -> None:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ConfigError(f"{name}: must be an integer in [{low}, {high}]; got {value!r}")
    if not low <= value <= high:
        raise ConfigError(f"{name}: must be in [{low}, {high}]; got {value}")


def _number(name: str, value: Any, low: float, high: float,
            low_open: bool = False, high_open: bool = False) -> None:
    lo, hi = ("(" if low_open else "["), (")" if high_open else "]")
    span = f"{lo}{low:g}, {high:g}{hi}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
        raise ConfigError(f"{name}: must be a finite number in {span}; got {value!r}")
    too_low = value <= low if low_open else value < low
    too_high = value >= high if high_open else value > high
    if too_low or too_high:
        raise ConfigError(f"{name}: must be in {span}; got {value:g}")
