"""Shipped trained 2D pairs: start a live run from a converged G *and* D.

GAN Lab lets a teacher open a converged GAN at once and then perturb it (a new
learning rate, another objective) to show what keeps a GAN in balance. Each
2D set has one full resumable checkpoint in ``pretrained/2d-<set>``, trained
with the set's preset (``python scripts/train_zoo.py 2d-<set>``). A run started
from it keeps the pair's architecture, takes every training knob from the
user's config, and begins at step 0 with the pair's weights and Adam moments,
so the views show the converged state before the first step.
"""

from __future__ import annotations

from pathlib import Path

from ganlab.data import canonical_name, is_points_dataset
from ganlab.data.toy2d import TOY2D
from ganlab.engine.checkpoints import META, Checkpoint, load_checkpoint, load_into, module_spec
from ganlab.engine.optim import restore_moments
from ganlab.engine.state import optimizer_state
from ganlab.errors import CheckpointError, GanLabError
from ganlab.families.gan.config import TrainConfig
from ganlab.paths import pretrained_dir

PREFIX = "2d-"  # pretrained/2d-ring8, pretrained/2d-moons, ...
# what builds the networks: a pair's own values win over the form's (the weights fit no other shape)
ARCH_FIELDS = (
    "model",
    "width",
    "depth",
    "norm",
    "d_norm",
    "conditional",
    "conditioning",
    "spectral_norm",
    "z_dim",
    "noise",
)
NETWORKS = {"G": "G", "D": "D", "G_ema": "G"}  # network -> the stored one it starts from (EMA: G)


def two_d_sets() -> list[str]:
    """The built-in sets of 2D points (the data list's order): the ones a pair is shipped for."""
    return [name for name, make in TOY2D.items() if tuple(make().shape) == (2,)]


def pair_name(dataset: str) -> str:
    """The folder name of a data set's pair under ``pretrained/``."""
    return PREFIX + canonical_name(dataset)


def pretrained_pair(dataset: str) -> Path | None:
    """The shipped pair's folder for a built-in 2D set, or None when none is shipped."""
    name = canonical_name(dataset)
    if name not in two_d_sets():
        return None
    folder = pretrained_dir() / pair_name(name)
    return folder if (folder / META).is_file() else None


def shipped_pairs() -> list[str]:
    """The 2D sets that have a shipped pair, in the data list's order."""
    return [name for name in two_d_sets() if pretrained_pair(name) is not None]


def require_pair(dataset: str) -> Path:
    """The pair's folder; GanLabError naming the sets that have one when ``dataset`` has none."""
    folder = pretrained_pair(dataset)
    if folder is not None:
        return folder
    have = ", ".join(shipped_pairs()) or "none (pretrained/ has no 2d-* folders)"
    if not is_points_dataset(dataset):
        raise GanLabError(
            f"from_pretrained: trained pairs are shipped for the 2D sets: {have}; "
            f"{dataset!r} is image data: untick 'start from the shipped trained pair'"
        )
    raise GanLabError(f"from_pretrained: no trained pair is shipped for {dataset!r}; the sets that have one: {have}")


def pair_config(cfg: TrainConfig) -> TrainConfig:
    """``cfg`` with the pair's architecture (its training knobs, steps, seed and device stay)."""
    ckpt_cfg = _stored_config(load_checkpoint(require_pair(cfg.dataset)))
    return cfg.updated(**{name: getattr(ckpt_cfg, name) for name in ARCH_FIELDS}).validate()


def _stored_config(ckpt: Checkpoint) -> TrainConfig:
    meta = ckpt.meta
    if meta.get("kind") != "gan" or meta.get("inference_only") or not meta.get("optimizers"):
        raise CheckpointError(f"{ckpt.path.name}: not a full G + D checkpoint; a trained pair needs both")
    try:
        return TrainConfig.from_dict(meta["config"])
    except (KeyError, TypeError, GanLabError) as exc:
        raise CheckpointError(f"{ckpt.path.name}: stored config is invalid ({exc})") from None


def load_pair(trainer, folder: str | Path) -> None:
    """Put a pair's G and D weights (and Adam moments, where the optimizer is the pair's) into a
    fresh ``trainer`` built from :func:`pair_config`; its step count and RNG stay fresh."""
    ckpt = load_checkpoint(folder)
    stored = _stored_config(ckpt)
    meta = ckpt.meta
    if module_spec(trainer.G) != meta.get("generator") or module_spec(trainer.D) != meta.get("discriminator"):
        raise CheckpointError(f"{ckpt.path.name}: the pair's networks do not match this run's architecture")
    for name, net in trainer.networks.items():
        load_into(net, ckpt.group(NETWORKS.get(name, name)), name)
    same = {"g": stored.g_optim.name == trainer.cfg.g_optim.name, "d": stored.d_optim.name == trainer.cfg.d_optim.name}
    try:
        for key, opt in trainer.optimizers.items():
            if same.get(key):  # SGD after Adam: its moments mean nothing, start them at zero
                restore_moments(opt, optimizer_state(ckpt, key))
    except (KeyError, ValueError, RuntimeError, TypeError) as exc:
        raise CheckpointError(f"{ckpt.path.name}: optimizer state is damaged ({exc})") from None
    trainer.mark_good()  # a divergence rolls back to the pair, not to the random init


__all__ = [
    "ARCH_FIELDS",
    "PREFIX",
    "load_pair",
    "pair_config",
    "pair_name",
    "pretrained_pair",
    "require_pair",
    "shipped_pairs",
    "two_d_sets",
]
