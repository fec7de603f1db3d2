"""The GAN family's step: n D updates, one G update, on the engine's :class:`StepRunner`.

The trainer holds everything a run needs on its device (data, models,
optimizers, one random generator), so a step never touches the host until
its statistics are read. ``run(k)`` (the engine's) reads them once per k
steps; ``step()`` is ``run(1)``. Only what makes it a GAN is here.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import torch
from torch import Tensor, nn

from ganlab.nn import losses
from ganlab.families.gan.config import TrainConfig
from ganlab.data import DataSource, load_dataset
from ganlab.engine.devices import cpu_has_native_bf16, resolve_device
from ganlab.engine.optim import lr_decay_factor
from ganlab.engine.runner import StepRunner, stat_columns
from ganlab.errors import ConfigError
from ganlab.families.gan.models import build_pair
from ganlab.families.gan.watch import NO_WATCH, StepWatch

STAT_NAMES = ("d_loss", "g_loss", "d_real", "d_fake", "d_grad_norm", "g_grad_norm", "penalty")
PHASES = ("both", "d", "g")  # what one iteration trains: both networks, only D, only G
D_COLUMNS = [0, 2, 3, 4, 6, 7]  # train_step's vector: the statistics only a D update makes
G_COLUMNS = [1, 5]


def stat_row(probabilities: bool, d: dict[str, Tensor], g: dict[str, Tensor], penalty: Tensor) -> list[Tensor]:
    """One step's statistics in STAT_NAMES order, then D's gap E[D(x)] - E[D(G(z))]: the vector
    every GAN-like trainer returns, so the engine reads them all the same way. ``d_real``/``d_fake``
    are shown as probabilities for BCE objectives, raw critic values otherwise."""
    to_prob = torch.sigmoid if probabilities else (lambda t: t)
    d_real, d_fake = d["d_real"], d["d_fake"]
    return [
        d["d_loss"],
        g["g_loss"],
        to_prob(d_real).mean(),
        to_prob(d_fake).mean(),
        d["d_grad_norm"].float(),
        g["g_grad_norm"].float(),
        penalty,
        d_real.mean() - d_fake.mean(),
    ]


@dataclass
class StepStats:
    """What one step measured; ``d_loss`` is the objective's D loss without penalties (those are
    ``penalty``: gradient penalty and R1, as weighted in the update); ``d_real``/``d_fake`` are
    probabilities for BCE objectives, raw critic values otherwise; ``wasserstein`` is the
    critic's estimate E[D(x)] - E[D(G(z))]."""

    step: int
    d_loss: float
    g_loss: float
    d_real: float
    d_fake: float
    d_grad_norm: float
    g_grad_norm: float
    penalty: float
    wasserstein: float | None
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


HISTORY_COLUMNS = stat_columns(StepStats)  # losses.csv and the live history, in this order


def make_noise(kind: str, n: int, z_dim: int, generator: torch.Generator) -> Tensor:
    """Latent codes: standard normal, or uniform on [-1, 1]."""
    if kind == "uniform":
        return torch.rand(n, z_dim, generator=generator, device=generator.device) * 2 - 1
    return torch.randn(n, z_dim, generator=generator, device=generator.device)


def real_batch(trainer, step: int) -> tuple[Tensor, Tensor | None, bool]:
    """D's real batch for ``step``: (images or points, labels if D is conditional, whether lazy R1
    is due). When R1 is due the batch requires grad, so one forward pass serves the loss and R1.
    In a distributed run it is this rank's shard of the global batch."""
    cfg = trainer.cfg
    real, labels = trainer.data.sample(cfg.batch_size, trainer.generator)
    real = trainer.shard(real)
    labels = trainer.shard(labels) if trainer.D.num_classes else None
    with_r1 = cfg.r1_weight > 0 and step % cfg.r1_every == 0
    if with_r1:
        real = real.detach().requires_grad_(True)
    return real, labels, with_r1


class Trainer(StepRunner):
    """Owns a GAN run: build with a config (and optionally a loaded data set), then ``run``."""

    FIXED_SAMPLES = 64
    divergence_advice = "Try a lower learning rate, a gradient penalty or spectral norm."
    what_diverged = "a loss or gradient"

    def __init__(self, cfg: TrainConfig, data: DataSource | None = None):
        self.cfg = cfg.validate()
        super().__init__(resolve_device(cfg.device), cfg.seed)
        if data is None:
            data = load_dataset(cfg.dataset, cfg.data_root, cfg.download, cfg.image_size)
        self.data = data.to(self.device)
        self.objective = losses.get_objective(cfg.objective)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            G, D = build_pair(cfg, data)
        self.is_image = data.kind == "image"
        # NHWC suits cuDNN and oneDNN convolutions alike: a DCGAN-28 step on the CPU is 1.3x faster
        self.channels_last = self.is_image and self.device.type in ("cuda", "cpu")
        if self.device.type == "cuda":
            torch.backends.cudnn.benchmark = True  # fixed shapes: pick the fastest kernels once
        self.G = self.add_network("G", G)
        self.D = self.add_network("D", D)
        self.G_ema = self.add_ema("G_ema", self.G, cfg.ema) if cfg.ema > 0 else None
        self.opt_g = self.add_optimizer("g", cfg.g_optim, self.G.parameters())
        self.opt_d = self.add_optimizer("d", cfg.d_optim, self.D.parameters())
        self.autocast_dtype = self._autocast_dtype()
        fixed = torch.Generator(self.device).manual_seed(cfg.seed + 1)
        self.fixed_z = make_noise(cfg.noise, self._fixed_count(), cfg.z_dim, fixed)
        classes = self.G.num_classes
        self.fixed_labels = torch.arange(self.fixed_z.shape[0], device=self.device) % classes if classes else None
        self.phase = "both"
        self._nan = torch.full((), float("nan"), device=self.device)
        self._phase_codes = {p: torch.tensor(float(i), device=self.device) for i, p in enumerate(PHASES)}
        self.watch: StepWatch = NO_WATCH  # slow motion swaps in a recorder for one iteration
        self.ready()

    # -- set-up helpers ---------------------------------------------------------
    def _fixed_count(self) -> int:
        return self.FIXED_SAMPLES if self.is_image else 1024

    def _autocast_dtype(self) -> torch.dtype | None:
        """bf16 autocast for ``precision`` bf16, and for auto where it is measured faster:
        small DCGANs are launch-bound on a GPU, where autocast's casts cost more than bf16 saves
        (DCGAN-28 on an H100: 0.93x, benchmarks/train_speed.py), so auto keeps fp32 there below
        64 px; on a CPU with bf16 in hardware an image step is 1.7x faster in bf16, with the same
        digits FD (benchmarks/bf16_quality.py). 2D MLPs stay fp32: their step is overhead-bound."""
        p = self.cfg.precision
        if p == "bf16":
            return torch.bfloat16
        if p != "auto" or not self.is_image:
            return None
        if self.device.type == "cuda":
            return torch.bfloat16 if self.data.shape[-1] >= 64 else None
        return torch.bfloat16 if self.device.type == "cpu" and cpu_has_native_bf16() else None

    def _fake_labels(self, n: int) -> Tensor | None:
        classes = self.G.num_classes
        if not classes:
            return None
        return self.shard(torch.randint(0, classes, (n,), generator=self.generator, device=self.device))

    def _noise(self) -> Tensor:
        """This step's z: the global batch's, this rank's shard of it in a distributed run."""
        return self.shard(make_noise(self.cfg.noise, self.cfg.batch_size, self.cfg.z_dim, self.generator))

    # -- the step ------------------------------------------------------------------
    def _d_update(self, step: int) -> dict[str, Tensor]:
        cfg, obj, see = self.cfg, self.objective, self.watch.see
        see("d.begin")
        real, labels, with_r1 = real_batch(self, step)
        see("d.real", real=real)
        z = self._noise()
        fake_labels = self._fake_labels(cfg.batch_size) if labels is not None else None
        with torch.no_grad(), self.autocast():
            fake = self.G(z, fake_labels)
        see("d.fake", z=z, fake=fake)
        with self.autocast():
            d_real = self.D(real, labels).float()
            d_fake = self.D(fake, fake_labels).float()
            see("d.scores", d_real=d_real, d_fake=d_fake)
            loss = obj.d_loss(d_real, d_fake)
        penalty = torch.zeros((), device=self.device)
        if obj.gradient_penalty:
            alpha = self.shard(losses.interpolation_weights(cfg.batch_size, real, self.generator))
            penalty = penalty + cfg.gp_weight * losses.gradient_penalty(
                self.D, real.detach(), fake.float(), labels, alpha=alpha
            )
        if with_r1:
            penalty = penalty + cfg.r1_weight * cfg.r1_every * losses.r1_from_outputs(d_real, real)
        total = loss + penalty
        see("d.loss", loss=loss, penalty=penalty)
        self.opt_d.zero_grad(set_to_none=True)
        total.backward()
        grad_norm = nn.utils.clip_grad_norm_(self.D.parameters(), float("inf"))
        self.opt_d.step()
        if obj.weight_clipping:
            losses.clip_weights(self.D, cfg.clip_value)
        see("d.update", grad_norm=grad_norm)
        # d_loss is the objective's alone: penalties are their own statistic, so a lazy R1
        # (every k-th step) does not saw-tooth the loss curve a student reads
        return {
            "d_loss": loss.detach(),
            "d_real": d_real.detach(),
            "d_fake": d_fake.detach(),
            "d_grad_norm": grad_norm,
            "penalty": penalty.detach(),
        }

    def _g_update(self) -> dict[str, Tensor]:
        cfg, see = self.cfg, self.watch.see
        see("g.begin")
        z = self._noise()
        labels = self._fake_labels(cfg.batch_size)
        see("g.noise", z=z)
        self.D.requires_grad_(False)
        with self.autocast():
            fake = self.G(z, labels)
            if self.watch.active:  # keep dLoss/dx on each fake: the arrows of slow motion (same numbers)
                fake.retain_grad()
            see("g.fake", fake=fake)
            out = self.D(fake, labels).float()
            see("g.scores", d_fake=out)
            loss = self.objective.g_loss(out)
        see("g.loss", loss=loss)
        self.opt_g.zero_grad(set_to_none=True)
        loss.backward()
        self.D.requires_grad_(True)
        see("g.grad", fake=fake, grad=fake.grad if self.watch.active else None)
        grad_norm = nn.utils.clip_grad_norm_(self.G.parameters(), float("inf"))
        self.opt_g.step()
        self.update_ema()
        see("g.update", z=z, labels=labels, grad_norm=grad_norm)
        return {"g_loss": loss.detach(), "g_grad_norm": grad_norm}

    def lr_factor(self, step: int) -> float:
        """Schedule multiplier at ``step``: 1, or linear to 0 over the second half of the run."""
        return lr_decay_factor(self.cfg.lr_decay, step, self.cfg.steps)

    def train_step(self, step: int) -> Tensor:
        """Iteration ``step`` (0-based): ``d_steps`` D updates, then ``g_steps`` G updates (only one
        network's when :attr:`phase` says so); its raw statistics as a device vector (no host sync).
        Statistics of the network that did not train are NaN, and the last element is the phase."""
        self.G.train()
        self.D.train()
        nan = self._nan
        d = {"d_loss": nan, "d_real": nan, "d_fake": nan, "d_grad_norm": nan, "penalty": nan}
        g = {"g_loss": nan, "g_grad_norm": nan}
        if self.phase != "g":
            for _ in range(self.cfg.d_steps):
                d = self._d_update(step)
        if self.phase != "d":
            for _ in range(self.cfg.g_steps):
                g = self._g_update()
        row = stat_row(self.objective.probabilities, d, g, d["penalty"])
        return torch.stack([*row, self._phase_codes[self.phase]])

    def bad_rows(self, raw: Tensor) -> Tensor:
        """NaN/inf rows, not counting the statistics of a network the phase left untrained."""
        skipped = torch.zeros_like(raw, dtype=torch.bool)
        phase = raw[:, -1:]
        skipped[:, D_COLUMNS] = (phase == PHASES.index("g")).expand(-1, len(D_COLUMNS))
        skipped[:, G_COLUMNS] = (phase == PHASES.index("d")).expand(-1, len(G_COLUMNS))
        return ~(torch.isfinite(raw) | skipped).all(dim=1)

    def make_stats(self, step: int, values: list[float], seconds: float) -> StepStats:
        wgan = self.cfg.objective in ("wgan", "wgan-gp")
        return StepStats(
            step=step, wasserstein=values[7] if wgan else None, seconds=seconds, **dict(zip(STAT_NAMES, values[:7]))
        )

    def set_phase(self, phase: str) -> None:
        """Which networks an iteration trains: "both", "d" (only D) or "g" (only G)."""
        if phase not in PHASES:
            raise ConfigError(
                f"phase: must be one of {', '.join(PHASES)} (both networks, only D, only G); got {phase!r}"
            )
        self.phase = phase

    def set_steps_per_iteration(self, d_steps: int | None = None, g_steps: int | None = None) -> None:
        """D and G updates per iteration, changed between chunks of a live run."""
        changes = {k: v for k, v in (("d_steps", d_steps), ("g_steps", g_steps)) if v is not None}
        if changes:
            self.cfg = self.cfg.updated(**changes).validate()

    # -- edits between chunks --------------------------------------------------------
    def set_learning_rates(self, g_lr: float | None = None, d_lr: float | None = None) -> None:
        """Change learning rates between steps (the UI applies edits made while paused)."""
        super().set_learning_rates(g_lr=g_lr, d_lr=d_lr)

    def set_objective(self, name: str) -> None:
        self.objective = losses.get_objective(name)
        self.cfg = self.cfg.updated(objective=name)

    @property
    def inference_generator(self) -> nn.Module:
        """The generator to sample from: the EMA copy where there is one."""
        return self.G_ema if self.G_ema is not None else self.G

    @torch.no_grad()
    def sample_fixed(self) -> Tensor:
        """G's output on the fixed noise batch (float32, on the CPU) for grids and 2D views."""
        g = self.inference_generator
        was_training = g.training
        g.eval()
        out = g(self.fixed_z, self.fixed_labels).float().cpu()
        g.train(was_training)
        return out
