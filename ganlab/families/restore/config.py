"""Restoration training configuration: one model, one task, validated once.

``model`` and ``task`` must fit: x4 super-resolution is SRResNet's or
SRGAN's, denoising and inpainting are pix2pix's. Loss weights left as None
take the model's recipe (:data:`MODEL_WEIGHTS`): pix2pix L1 100 + adversarial
1 (Isola et al.); SRResNet pixel loss only; SRGAN content 1 + adversarial
1e-3 (Ledig et al.) plus a pixel L1 of 1, because our content network is far
weaker than VGG19.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any, ClassVar

from ganlab.engine.optim import LR_DECAYS
from ganlab.engine.config import JsonConfig, Range, check_field, choice, reject_unknown_fields
from ganlab.errors import ConfigError
from ganlab.families.restore.degrade import TASKS

MODELS = ("pix2pix", "srresnet", "srgan")
OBJECTIVES = ("nonsaturating", "lsgan", "hinge")  # no penalties or clipping: a plain D step
MODEL_WEIGHTS: dict[str, dict[str, float]] = {  # l1, adversarial, content
    "pix2pix": {"l1_weight": 100.0, "adv_weight": 1.0, "content_weight": 0.0},
    "srresnet": {"l1_weight": 1.0, "adv_weight": 0.0, "content_weight": 0.0},
    "srgan": {"l1_weight": 1.0, "adv_weight": 1e-3, "content_weight": 1.0},
}
WEIGHT_FIELDS = ("l1_weight", "adv_weight", "content_weight")
PIXEL_LOSSES = ("l1", "l2")  # the pixel term that l1_weight weighs


@dataclass
class RestoreConfig(JsonConfig):
    """Everything that defines a restoration run; JSON round-trips exactly."""

    dataset: str = "digits"  # any image set; summer2winter / unpaired:A,B pool both halves
    data_root: str | None = None
    model: str = "pix2pix"
    task: str = "denoise"
    image_size: int | None = None  # training size (crop for photos); None: the set's native size, 96 for photos
    load_size: int | None = None  # photos only: decoded at this size before cropping (None: 256)
    max_images: int | None = None
    holdout: int = 64  # last images kept out of training: the validation batch
    ngf: int = 16  # U-Net base width / SRResNet width
    ndf: int = 32
    depth: int = 4  # U-Net levels
    n_blocks: int = 4  # SRResNet residual blocks
    n_layers_d: int = 2
    objective: str = "nonsaturating"
    l1_weight: float | None = None
    adv_weight: float | None = None
    content_weight: float | None = None
    pixel_loss: str = "l1"  # "l2" (MSE) is what PSNR measures: an L1 run fine-tuned with it gains PSNR
    init_from: str | None = None  # warm start: G's weights from this restoration run (SRGAN from its SRResNet)
    sigma_min: float = 0.0  # denoise: sigma ~ U[sigma_min, sigma_max] per image, [0, 1] units
    sigma_max: float = 0.5
    lr: float = 2e-4
    lr_decay: str = "none"  # "linear": constant for half the run, then linear to 0 (engine.optim.LR_DECAYS)
    beta1: float = 0.5
    beta2: float = 0.999
    batch_size: int = 16
    steps: int = 2000
    seed: int = 0
    device: str = "auto"

    RANGES: ClassVar[dict[str, Range]] = {
        "image_size": Range(8, 1024),
        "load_size": Range(8, 2048),
        "max_images": Range(1, 1_000_000),
        "holdout": Range(1, 10_000),
        "ngf": Range(1, 256),
        "ndf": Range(1, 256),
        "depth": Range(1, 8),
        "n_blocks": Range(0, 32),
        "n_layers_d": Range(1, 6),
        "l1_weight": Range(0.0, 10_000.0, whole=False),
        "adv_weight": Range(0.0, 100.0, whole=False),
        "content_weight": Range(0.0, 1000.0, whole=False),
        "sigma_min": Range(0.0, 1.0, whole=False),
        "sigma_max": Range(0.0, 1.0, whole=False),
        "lr": Range(0.0, 1.0, whole=False, low_open=True),
        "beta1": Range(0.0, 1.0, whole=False, high_open=True),
        "beta2": Range(0.0, 1.0, whole=False, high_open=True),
        "batch_size": Range(1, 256),
        "steps": Range(1, 10_000_000),
        "seed": Range(0, 2**63 - 1),
    }

    def weight(self, name: str) -> float:
        """A loss weight as set, or the model's recipe when left as None."""
        value = getattr(self, name)
        return MODEL_WEIGHTS[self.model][name] if value is None else float(value)

    @property
    def has_discriminator(self) -> bool:
        return self.weight("adv_weight") > 0 and self.model != "srresnet"

    def validate(self) -> "RestoreConfig":
        """Raise :class:`ConfigError` naming the first bad field; return self."""
        if not isinstance(self.dataset, str) or not self.dataset.strip():
            raise ConfigError("dataset: give an image set (digits, mnist, fashion, summer2winter, folder:PATH)")
        choice("model", self.model, MODELS)
        choice("task", self.task, tuple(TASKS))
        fits = TASKS[self.task].models
        if self.model not in fits:
            raise ConfigError(
                f"model: {self.model} does not do {self.task} (task {self.task} needs "
                f"{' or '.join(fits)}; {self.model} does "
                f"{', '.join(t for t, task in TASKS.items() if self.model in task.models)})"
            )
        choice("objective", self.objective, OBJECTIVES)
        choice("lr_decay", self.lr_decay, LR_DECAYS)
        choice("pixel_loss", self.pixel_loss, PIXEL_LOSSES)
        for name in ("image_size", "load_size", "max_images", *WEIGHT_FIELDS):
            if getattr(self, name) is not None:
                check_field(self, name)
        for name in (
            "holdout",
            "ngf",
            "ndf",
            "depth",
            "n_blocks",
            "n_layers_d",
            "sigma_min",
            "sigma_max",
            "lr",
            "beta1",
            "beta2",
            "batch_size",
            "steps",
            "seed",
        ):
            check_field(self, name)
        if self.task == "sr4" and self.image_size is not None and self.image_size % 4:
            raise ConfigError(f"image_size: x4 super-resolution needs a multiple of 4; got {self.image_size}")
        if self.sigma_min > self.sigma_max:
            raise ConfigError(f"sigma_min: must not exceed sigma_max ({self.sigma_max:g}); got {self.sigma_min:g}")
        if self.model == "srresnet" and self.weight("adv_weight") > 0:
            raise ConfigError(
                "adv_weight: SRResNet has no discriminator (pixel loss only); use srgan for an adversarial term"
            )
        if self.init_from is not None and (not isinstance(self.init_from, str) or not self.init_from.strip()):
            raise ConfigError("init_from: give a restoration run folder (e.g. runs/photo-sr4-psnr) or leave it unset")
        if not isinstance(self.device, str) or not self.device:
            raise ConfigError("device: must be 'auto', 'cpu', 'mps' or 'cuda:N'")
        return self

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "RestoreConfig":
        """Build from a dict, rejecting unknown keys by name."""
        reject_unknown_fields(cls, data, "restoration config")
        return cls(**data)

    def updated(self, **changes: Any) -> "RestoreConfig":
        return replace(self, **changes)
