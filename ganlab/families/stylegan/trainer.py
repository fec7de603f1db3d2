"""The StyleGAN step on the engine's :class:`StepRunner`: one D update (lazy R1), one G update
(style mixing, optional lazy path length), EMA of G, ``w_avg`` tracking.

Its statistics are the GAN family's :class:`~ganlab.families.gan.trainer.StepStats`, and it has
the attributes the GAN :class:`~ganlab.families.gan.job.TrainingJob` reads (cfg, data, G, D,
G_ema, objective, opt_g, opt_d, sample_fixed, inference_generator), so the live Train-tab
views and health signals show a StyleGAN run unchanged. Every random draw comes from the
runner's one generator, so a resumed run continues bit for bit.
"""

from __future__ import annotations

import math

import torch
from torch import Tensor, nn

from ganlab.data import DataSource, load_dataset
from ganlab.engine.devices import resolve_device
from ganlab.engine.optim import lr_decay_factor
from ganlab.engine.runner import StepRunner
from ganlab.errors import CheckpointError, ConfigError
from ganlab.families.gan.trainer import STAT_NAMES, StepStats, real_batch, stat_row
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.models import StyleDiscriminator, StyleGenerator
from ganlab.nn import losses
from ganlab.nn.budget import check_budget

PL_DECAY = 0.01  # path-length mean: an EMA of the lengths, as StyleGAN2


class PathLengthMean(nn.Module):
    """The running mean path length, a buffer so checkpoints keep it (resume stays exact)."""

    def __init__(self) -> None:
        super().__init__()
        self.register_buffer("mean", torch.zeros(()))


def build_pair(cfg: StyleGANConfig, data: DataSource) -> tuple[StyleGenerator, StyleDiscriminator]:
    """(G, D) for a validated config and an image data set; ConfigError names the field that misfits."""
    if data.kind != "image":
        raise ConfigError(f"dataset: StyleGAN trains on images; {data.name!r} is {data.kind}")
    channels, size, _ = data.shape
    classes = data.num_classes if cfg.conditional else 0
    if cfg.conditional and not classes:
        raise ConfigError(f"conditional: data set {data.name!r} has no class labels")
    g_args = dict(
        z_dim=cfg.z_dim,
        w_dim=cfg.w_dim,
        image_size=size,
        channels=channels,
        width=cfg.channels,
        mapping_layers=cfg.mapping_layers,
        style_block=cfg.style_block,
        num_classes=classes,
    )
    d_args = dict(image_size=size, channels=channels, width=cfg.channels, num_classes=classes)
    for cls, args in ((StyleGenerator, g_args), (StyleDiscriminator, d_args)):
        try:
            check_budget(cls, args)
        except CheckpointError as exc:
            raise ConfigError(f"channels: {exc}") from None
    return StyleGenerator(**g_args), StyleDiscriminator(**d_args)


class StyleGANTrainer(StepRunner):
    """Owns a StyleGAN run: build with a config (and optionally a loaded data set), then ``run``."""

    FIXED_SAMPLES = 64
    divergence_advice = "Try lower learning rates or a larger R1 weight."
    what_diverged = "a loss or gradient"

    def __init__(self, cfg: StyleGANConfig, data: DataSource | None = None) -> None:
        self.cfg = cfg.validate()
        super().__init__(resolve_device(cfg.device), cfg.seed)
        if data is None:
            data = load_dataset(cfg.dataset, cfg.data_root, cfg.download, cfg.image_size)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            G, D = build_pair(cfg, data)
        self.data = data.to(self.device)
        self.objective = losses.get_objective(cfg.objective)
        self.G: StyleGenerator = self.add_network("G", G)
        self.D: StyleDiscriminator = self.add_network("D", D)
        self.G_ema = self.add_ema("G_ema", self.G, cfg.ema) if cfg.ema > 0 else None
        self.pl_mean = self.add_network("PL", PathLengthMean()) if cfg.pl_weight > 0 else None
        self.opt_g = self.add_optimizer("g", cfg.g_optim, self.G.parameters())
        self.opt_d = self.add_optimizer("d", cfg.d_optim, self.D.parameters())
        self.autocast_dtype = torch.bfloat16 if cfg.precision == "bf16" else None
        self._fixed_inputs()
        self.ready()

    def _fixed_inputs(self) -> None:
        """The fixed grid's z, labels and noise maps: drawn once on the CPU, so the same samples grow."""
        fixed = torch.Generator().manual_seed(self.cfg.seed + 1)
        n, classes = self.FIXED_SAMPLES, self.G.num_classes
        self.fixed_z = torch.randn(n, self.cfg.z_dim, generator=fixed).to(self.device)
        self.fixed_noise = [t.to(self.device) for t in self.G.make_noise(n, fixed)]
        self.fixed_labels = torch.arange(n, device=self.device) % classes if classes else None

    # -- pieces of a step ------------------------------------------------------------------
    def _randn(self, *shape: int) -> Tensor:
        return torch.randn(*shape, generator=self.generator, device=self.device)

    def _fake_labels(self, n: int) -> Tensor | None:
        classes = self.G.num_classes
        if not classes:
            return None
        return torch.randint(0, classes, (n,), generator=self.generator, device=self.device)

    def _styles(self, n: int, labels: Tensor | None, track: bool = False) -> Tensor:
        """W+ styles (n, num_layers, w_dim) for fresh z; with probability ``mixing_prob`` the layers
        from a random crossover on take a second z's w (style-mixing regularisation)."""
        w = self.G.mapping(self._randn(n, self.cfg.z_dim), labels)
        if track:
            self.G.mapping.track(w)
        ws = self.G.broadcast(w)
        if self.cfg.mixing_prob <= 0:
            return ws
        layers = self.G.num_layers
        w2 = self.G.mapping(self._randn(n, self.cfg.z_dim), labels)
        cutoff = torch.randint(1, layers, (), generator=self.generator, device=self.device)
        mixing = torch.rand((), generator=self.generator, device=self.device) < self.cfg.mixing_prob
        cutoff = torch.where(mixing, cutoff, torch.full_like(cutoff, layers))  # on the device: no sync
        second = torch.arange(layers, device=self.device) >= cutoff
        return torch.where(second[None, :, None], w2[:, None, :], ws)

    def _generate(self, n: int, labels: Tensor | None, track: bool = False) -> tuple[Tensor, Tensor]:
        ws = self._styles(n, labels, track)
        return self.G.synthesis(ws, self.G.make_noise(n, self.generator)), ws

    def _d_update(self, step: int) -> dict[str, Tensor]:
        cfg = self.cfg
        real, labels, with_r1 = real_batch(self, step)
        fake_labels = self._fake_labels(cfg.batch_size)
        with torch.no_grad(), self.autocast():
            fake, _ = self._generate(cfg.batch_size, fake_labels)
        with self.autocast():
            d_real = self.D(real, labels).float()
            d_fake = self.D(fake, fake_labels).float()
            loss = self.objective.d_loss(d_real, d_fake)
        penalty = torch.zeros((), device=self.device)
        if with_r1:
            penalty = cfg.r1_weight * cfg.r1_every * losses.r1_from_outputs(d_real, real)
        self.opt_d.zero_grad(set_to_none=True)
        (loss + penalty).backward()
        grad_norm = nn.utils.clip_grad_norm_(self.D.parameters(), float("inf"))
        self.opt_d.step()
        return {
            "d_loss": loss.detach(),
            "d_real": d_real.detach(),
            "d_fake": d_fake.detach(),
            "d_grad_norm": grad_norm,
            "penalty": penalty.detach(),
        }

    def _path_length(self, labels: Tensor | None) -> Tensor:
        """StyleGAN2's path-length penalty on half a batch: (|J_w^T y| - running mean)^2."""
        n = max(1, self.cfg.batch_size // 2)
        img, ws = self._generate(n, None if labels is None else labels[:n])
        y = self._randn(*img.shape) / math.sqrt(img.shape[2] * img.shape[3])
        (grad,) = torch.autograd.grad((img.float() * y).sum(), ws, create_graph=True)
        lengths = grad.float().square().sum(dim=2).mean(dim=1).sqrt()  # (n,)
        mean = self.pl_mean.mean.lerp(lengths.mean().detach(), PL_DECAY)
        self.pl_mean.mean.copy_(mean)
        return (lengths - mean).square().mean()

    def _g_update(self, step: int) -> dict[str, Tensor]:
        cfg = self.cfg
        labels = self._fake_labels(cfg.batch_size)
        self.D.requires_grad_(False)
        with self.autocast():
            fake, _ = self._generate(cfg.batch_size, labels, track=True)
            loss = self.objective.g_loss(self.D(fake, labels).float())
        penalty = torch.zeros((), device=self.device)
        if self.pl_mean is not None and step % cfg.pl_every == 0:
            penalty = cfg.pl_weight * cfg.pl_every * self._path_length(labels)
        self.opt_g.zero_grad(set_to_none=True)
        (loss + penalty).backward()
        self.D.requires_grad_(True)
        grad_norm = nn.utils.clip_grad_norm_(self.G.parameters(), float("inf"))
        self.opt_g.step()
        self.update_ema()
        return {"g_loss": loss.detach(), "g_grad_norm": grad_norm, "penalty": penalty.detach()}

    # -- the engine's hooks --------------------------------------------------------------------
    def train_step(self, step: int) -> Tensor:
        """Step ``step`` (0-based): its raw statistics as a device vector (no host sync)."""
        self.G.train()
        self.D.train()
        d = self._d_update(step)
        g = self._g_update(step)
        return torch.stack(stat_row(self.objective.probabilities, d, g, d["penalty"] + g["penalty"]))

    def make_stats(self, step: int, values: list[float], seconds: float) -> StepStats:
        """The GAN family's record; ``penalty`` is R1 (D) plus path length (G), as weighted."""
        return StepStats(step=step, wasserstein=None, seconds=seconds, **dict(zip(STAT_NAMES, values[:7])))

    # -- what the live job and the outputs use -------------------------------------------------
    def lr_factor(self, step: int) -> float:
        return lr_decay_factor(self.cfg.lr_decay, step, self.cfg.steps)

    def set_learning_rates(self, g_lr: float | None = None, d_lr: float | None = None) -> None:
        super().set_learning_rates(g_lr=g_lr, d_lr=d_lr)

    def set_objective(self, name: str) -> None:
        self.cfg = self.cfg.updated(objective=name).validate()
        self.objective = losses.get_objective(name)

    @property
    def inference_generator(self) -> StyleGenerator:
        """The generator to sample from: the EMA copy where there is one."""
        return self.G_ema if self.G_ema is not None else self.G

    @torch.no_grad()
    def sample_fixed(self) -> Tensor:
        """The fixed grid (float32 on the CPU, in [-1, 1]): fixed z (so w = mapping(z), no mixing,
        no truncation) and fixed noise maps, so a student watches the same samples grow."""
        g = self.inference_generator
        was_training = g.training
        g.eval()
        ws = g.broadcast(g.mapping(self.fixed_z, self.fixed_labels))
        out = g.synthesis(ws, self.fixed_noise).float().clamp(-1, 1).cpu()
        g.train(was_training)
        return out
