"""Restoration training, one step at a time: degrade a clean batch, restore it, judge it.

The clean images and every degradation live on the device; one random
generator draws the batch, the noise, the masks and the crops, so a run is
reproducible from its seed and resumes bit for bit. G always gets a pixel L1;
pix2pix adds a conditional PatchGAN, SRGAN a content loss and a small
unconditional PatchGAN term; SRResNet has no D at all.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor

from ganlab.engine.devices import resolve_device
from ganlab.engine.runner import StepRunner, stat_columns
from ganlab.families.gan.config import OptimizerConfig
from ganlab.families.restore import degrade
from ganlab.families.restore.config import RestoreConfig
from ganlab.families.restore.data import CleanImages, load_clean
from ganlab.families.restore.grow import grow_state, growable
from ganlab.families.restore.losses import PIXEL_LOSSES, adversarial, content_loss, content_network
from ganlab.families.restore.models import PatchGAN, SRResNet, UNetGenerator
from ganlab.metrics.restoration import scores

VALIDATION_SEED = 20240613  # the validation batch's degradations: fixed, drawn on the CPU


@dataclass
class RestoreStats:
    """One step's losses (weighted as trained): pixel L1, content, G adversarial, D; lr used."""

    step: int
    l1: float
    content: float
    g_adv: float
    d: float
    lr: float
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


HISTORY_COLUMNS = stat_columns(RestoreStats)


def to_net(x: Tensor) -> Tensor:
    """[0, 1] -> [-1, 1]; the mask channel of an inpainting input stays 0/1 (callers split it)."""
    return x * 2 - 1


def from_net(y: Tensor) -> Tensor:
    return (y.float() + 1) / 2


def build_generator(cfg: RestoreConfig, channels: int) -> torch.nn.Module:
    task = degrade.TASKS[cfg.task]
    if task.scale == 4:
        return SRResNet(channels, channels, cfg.ngf, cfg.n_blocks)
    return UNetGenerator(channels + task.extra_channels, channels, cfg.ngf, cfg.depth)


def load_generator_weights(g: torch.nn.Module, spec: str) -> None:
    """Warm start: copy G from another restoration run of the same architecture.

    SRGAN starts from its trained SRResNet (Ledig et al.), so the adversarial and content
    terms refine a network that already beats bicubic instead of pulling a random one.
    An SRResNet may also start from a narrower or shallower one (``grow.py``): it begins
    computing exactly what that one did, with room to learn more.
    """
    from ganlab.engine.checkpoints import load_checkpoint
    from ganlab.errors import CheckpointError

    ckpt = load_checkpoint(spec)
    if ckpt.kind != "restore":
        raise CheckpointError(f"init_from: {ckpt.path.name} is a {ckpt.kind} checkpoint, not a restoration run")
    state = ckpt.group("G")
    src_args = (ckpt.meta.get("generator") or {}).get("args") or {}
    if getattr(g, "arch", "") == "srresnet" and src_args != g.args and growable(src_args, g.args):
        state = grow_state(state, src_args, g)  # a wider/deeper SRResNet starts as the trained one
    try:
        g.load_state_dict(state)
    except RuntimeError:
        raise CheckpointError(
            f"init_from: {ckpt.path.name}'s generator has another architecture "
            "(same ngf, n_blocks/depth, channels and task needed; an SRResNet may grow wider and deeper)"
        ) from None


class RestoreTrainer(StepRunner):
    """Owns a restoration run: G (U-Net or SRResNet), D (PatchGAN) when the model has one."""

    divergence_advice = "Try a lower learning rate or a smaller adversarial weight."

    def __init__(self, cfg: RestoreConfig, data: CleanImages | None = None, warm_start: bool = True):
        self.cfg = cfg.validate()
        super().__init__(resolve_device(cfg.device), cfg.seed)
        if data is None:
            data = load_clean(cfg.dataset, cfg.data_root, cfg.image_size, cfg.load_size, cfg.max_images, cfg.holdout)
        self.data = data.to(self.device)
        self.task = degrade.TASKS[cfg.task]
        channels = self.data.channels
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            g = build_generator(cfg, channels)
            cond = 0 if self.task.scale > 1 else channels + self.task.extra_channels
            d = PatchGAN(channels, cond, cfg.ndf, cfg.n_layers_d) if cfg.has_discriminator else None
        if cfg.init_from and warm_start:
            load_generator_weights(g, cfg.init_from)
        self.G = self.add_network("G", g)
        adam = OptimizerConfig("adam", cfg.lr, cfg.beta1, cfg.beta2)
        self.add_optimizer("g", adam, self.G.parameters())
        self.D = None
        if d is not None:
            self.D = self.add_network("D", d)
            self.add_optimizer("d", adam, self.D.parameters())
        self.d_loss, self.g_loss = adversarial(cfg.objective)
        self.content = None
        if cfg.weight("content_weight") > 0:
            self.content = content_network(self.data.name, channels).to(self.device)
        self.validation_pair = self._validation_pair()
        self.ready()

    def lr_factor(self, step: int) -> float:
        from ganlab.engine.optim import lr_decay_factor

        return lr_decay_factor(self.cfg.lr_decay, step, self.cfg.steps)

    @property
    def content_description(self) -> str | None:
        return None if self.content is None else self.content.description

    def _validation_pair(self) -> degrade.Pair:
        """The held-out batch, degraded once with a fixed CPU seed (the same on every device)."""
        clean = self.data.validation(self.cfg.holdout).cpu()
        pair = self.task.make(
            clean, torch.Generator().manual_seed(VALIDATION_SEED), (self.cfg.sigma_min, self.cfg.sigma_max)
        )
        move = lambda t: None if t is None else t.to(self.device)
        return degrade.Pair(move(pair.input), move(pair.target), move(pair.mask))

    # -- the step -------------------------------------------------------------------------------
    def restore_pair(self, pair: degrade.Pair) -> Tensor:
        """G's answer for a pair in [-1, 1] (inpainting: composited, known pixels kept exactly)."""
        x = pair.input
        net_in = torch.cat([to_net(x[:, :-1]), x[:, -1:]], 1) if pair.mask is not None else to_net(x)
        out = self.G(net_in)
        if pair.mask is not None:
            out = degrade.composite(out, to_net(x[:, :-1]), pair.mask)
        return out

    def _condition(self, pair: degrade.Pair) -> Tensor | None:
        if self.task.scale > 1:
            return None  # SRGAN's D judges the image alone
        x = pair.input
        return torch.cat([to_net(x[:, :-1]), x[:, -1:]], 1) if pair.mask is not None else to_net(x)

    def train_step(self, step: int) -> Tensor:
        cfg = self.cfg
        self.G.train()
        clean = self.data.sample(cfg.batch_size, self.generator)
        pair = self.task.make(clean, self.generator, (cfg.sigma_min, cfg.sigma_max))
        target = to_net(pair.target)
        out = self.restore_pair(pair)
        zero = torch.zeros((), device=self.device)
        l1 = cfg.weight("l1_weight") * PIXEL_LOSSES[cfg.pixel_loss](out, target)
        content = (
            cfg.weight("content_weight") * content_loss(self.content, out, target) if self.content is not None else zero
        )
        g_adv, d_loss = zero, zero
        if self.D is not None:
            cond = self._condition(pair)
            self.D.requires_grad_(False)
            g_adv = cfg.weight("adv_weight") * self.g_loss(self.D(out, cond))
        self.optimizers["g"].zero_grad(set_to_none=True)
        (l1 + content + g_adv).backward()
        self.optimizers["g"].step()
        if self.D is not None:
            self.D.requires_grad_(True)
            self.D.train()
            d_loss = self.d_loss(self.D(target, cond), self.D(out.detach(), cond))
            self.optimizers["d"].zero_grad(set_to_none=True)
            d_loss.backward()
            self.optimizers["d"].step()
        return torch.stack([l1.detach(), content.detach(), g_adv.detach(), d_loss.detach()])

    def make_stats(self, step: int, values: list[float], seconds: float) -> RestoreStats:
        l1, content, g_adv, d = values
        return RestoreStats(step, l1, content, g_adv, d, self.base_lr["g"] * self.lr_factor(step - 1), seconds)

    # -- looking at it ----------------------------------------------------------------------------
    @torch.no_grad()
    def restore_validation(self) -> Tensor:
        """G's restorations of the validation batch, in [0, 1] on the CPU."""
        self.G.eval()
        try:
            return from_net(self.restore_pair(self.validation_pair)).clamp(0, 1).cpu()
        finally:
            self.G.train()

    def validate(self) -> dict[str, float]:
        """Held-out L1 (in [0, 1] units), PSNR and SSIM of G and of the trivial baseline."""
        pair = self.validation_pair
        target = pair.target.cpu()
        restored = self.restore_validation()
        base = degrade.baseline(self.cfg.task, pair).cpu()
        result = {"val_l1": float((restored - target).abs().mean())}
        result.update({f"val_{k}": v for k, v in scores(restored, target).items()})
        result.update({f"baseline_{k}": v for k, v in scores(base, target).items()})
        result["val_images"] = int(target.shape[0])
        return result

    def sample_triplets(self, n: int = 4) -> dict[str, Tensor]:
        """(degraded, restored, clean) for the first ``n`` validation images, in [-1, 1]."""
        pair = self.validation_pair
        shown = degrade.baseline(self.cfg.task, pair)[:n].cpu()
        return {
            "input": to_net(shown),
            "output": to_net(self.restore_validation()[:n]),
            "target": to_net(pair.target[:n].cpu()),
        }
