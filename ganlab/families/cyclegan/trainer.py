"""CycleGAN training, one step at a time: both generators, then both discriminators.

Same contract as the GAN :class:`~ganlab.families.gan.trainer.Trainer`: the data
(uint8 tensors), the four networks, the image pools and one random generator
live on the device; ``run(k)`` reads the statistics from the device once
per k steps and returns plain numbers.
"""

from __future__ import annotations

import copy
import itertools
import time
from contextlib import nullcontext
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ganlab.data.unpaired import UnpairedImages, load_unpaired
from ganlab.engine.devices import resolve_device
from ganlab.errors import TrainingDiverged
from ganlab.families.cyclegan.models import PatchDiscriminator, ResnetGenerator
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.engine.optim import restore_moments

CYCLE_STAT_NAMES = ("g_ab", "g_ba", "cycle", "identity", "d_a", "d_b")


@dataclass
class CycleStats:
    """One step's losses: G_AB/G_BA adversarial (LSGAN), cycle and identity (weighted L1),
    D_A/D_B (each half real, half pooled fake), and the learning rate used."""

    step: int
    g_ab: float
    g_ba: float
    cycle: float
    identity: float
    d_a: float
    d_b: float
    lr: float
    seconds: float

    def as_dict(self) -> dict:
        return asdict(self)


class ImagePool:
    """Shrivastava et al.'s history of generated images: D sees a mix of new and older fakes.

    The release's rule, kept on the device: while the pool fills, new images
    go in and come back; afterwards each image is, with probability 1/2,
    swapped for a random stored one (which it replaces).
    """

    def __init__(self, size: int):
        self.size = size
        self.images: Tensor | None = None
        self.count = 0

    def query(self, images: Tensor, generator: torch.Generator) -> Tensor:
        images = images.detach()
        if self.size == 0:
            return images
        if self.images is None or self.images.shape[1:] != images.shape[1:]:
            self.images = torch.empty((self.size, *images.shape[1:]), dtype=images.dtype, device=images.device)
            self.count = 0
        out = images.clone()
        room = min(self.size - self.count, images.shape[0])
        if room:
            self.images[self.count:self.count + room] = images[:room]
            self.count += room
        rest = images[room:]
        m = rest.shape[0]
        if m:
            swap = (torch.rand(m, generator=generator, device=images.device) < 0.5).view(m, 1, 1, 1)
            index = torch.randint(0, self.size, (m,), generator=generator, device=images.device)
            old = self.images[index]
            out[room:] = torch.where(swap, old, rest)
            self.images[index] = torch.where(swap, rest, old)
        return out


def lsgan(prediction: Tensor, target_real: bool) -> Tensor:
    """Least-squares GAN loss (Mao et al. 2017) against a constant 1 (real) or 0 (fake) map."""
    target = 1.0 if target_real else 0.0
    return (prediction.float() - target).square().mean()


class CycleGANTrainer:
    """Owns a CycleGAN run: G_AB (A->B), G_BA (B->A), D_A (judges A), D_B (judges B)."""

    EXAMPLES = 4

    def __init__(self, cfg: CycleGANConfig, data: UnpairedImages | None = None):
        self.cfg = cfg.validate()
        self.device = resolve_device(cfg.device)
        if data is None:
            data = load_unpaired(cfg.dataset, cfg.data_root, cfg.resolved_load_size, cfg.image_size,
                                 cfg.max_images, cfg.flip)
        self.data = data.to(self.device)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            self.G_AB = ResnetGenerator(3, 3, cfg.ngf, cfg.n_blocks)
            self.G_BA = ResnetGenerator(3, 3, cfg.ngf, cfg.n_blocks)
            self.D_A = PatchDiscriminator(3, cfg.ndf, cfg.n_layers_d)
            self.D_B = PatchDiscriminator(3, cfg.ndf, cfg.n_layers_d)
        self.channels_last = cfg.channels_last and self.device.type == "cuda"
        fmt = torch.channels_last if self.channels_last else torch.preserve_format
        for net in self.networks.values():
            net.to(self.device, memory_format=fmt)
        fused = self.device.type == "cuda" or None
        betas = (cfg.beta1, cfg.beta2)
        self.opt_g = torch.optim.Adam(itertools.chain(self.G_AB.parameters(), self.G_BA.parameters()),
                                      lr=cfg.lr, betas=betas, fused=fused)
        self.opt_d = torch.optim.Adam(itertools.chain(self.D_A.parameters(), self.D_B.parameters()),
                                      lr=cfg.lr, betas=betas, fused=fused)
        use_bf16 = cfg.precision == "bf16" or (cfg.precision == "auto" and self.device.type == "cuda")
        self.autocast_dtype = torch.bfloat16 if use_bf16 else None
        self.generator = torch.Generator(self.device).manual_seed(cfg.seed)
        self.pool_a, self.pool_b = ImagePool(cfg.pool_size), ImagePool(cfg.pool_size)
        self.total_steps = cfg.steps
        self.fixed_a, self.fixed_b = (x.to(self.device) for x in self.data.examples(self.EXAMPLES))
        self.step_count = 0
        self.wall_time_s = 0.0
        self.history: list[CycleStats] = []
        self.stopped_reason: str | None = None
        self._last_good = self._capture()

    @property
    def networks(self) -> dict[str, nn.Module]:
        return {"G_AB": self.G_AB, "G_BA": self.G_BA, "D_A": self.D_A, "D_B": self.D_B}

    @property
    def domains(self) -> tuple[str, str]:
        return tuple(self.data.domains)

    # -- schedule -----------------------------------------------------------------
    def lr_at(self, step: int) -> float:
        """Constant until ``decay_from`` x total steps, then linear to zero at the last step."""
        start = int(self.total_steps * self.cfg.decay_from)
        if step < start:
            return self.cfg.lr
        remaining = max(self.total_steps - step, 0)
        return self.cfg.lr * remaining / max(self.total_steps - start, 1)

    def set_total_steps(self, steps: int) -> None:
        """Re-plan the run's length (a time budget measured in steps); the decay follows it."""
        self.total_steps = max(int(steps), self.step_count + 1)

    # -- the step -----------------------------------------------------------------
    def _autocast(self):
        if self.autocast_dtype is None:
            return nullcontext()
        return torch.autocast(self.device.type, dtype=self.autocast_dtype)

    def _batch(self) -> tuple[Tensor, Tensor]:
        a, b = self.data.sample(self.cfg.batch_size, self.generator)
        if self.channels_last:
            a, b = a.contiguous(memory_format=torch.channels_last), b.contiguous(memory_format=torch.channels_last)
        return a, b

    def _one_step(self, lr: float) -> Tensor:
        cfg = self.cfg
        for opt in (self.opt_g, self.opt_d):
            for group in opt.param_groups:
                group["lr"] = lr
        for net in self.networks.values():
            net.train()
        real_a, real_b = self._batch()
        # generators: fool both discriminators, cycle back, and leave the target domain alone
        self.D_A.requires_grad_(False)
        self.D_B.requires_grad_(False)
        with self._autocast():
            fake_b = self.G_AB(real_a)
            fake_a = self.G_BA(real_b)
            cycle = cfg.lambda_cycle * (F.l1_loss(self.G_BA(fake_b).float(), real_a)
                                        + F.l1_loss(self.G_AB(fake_a).float(), real_b))
            if cfg.lambda_identity > 0:
                identity = cfg.lambda_cycle * cfg.lambda_identity * (
                    F.l1_loss(self.G_AB(real_b).float(), real_b) + F.l1_loss(self.G_BA(real_a).float(), real_a))
            else:
                identity = torch.zeros((), device=self.device)
            g_ab = lsgan(self.D_B(fake_b), True)
            g_ba = lsgan(self.D_A(fake_a), True)
        self.opt_g.zero_grad(set_to_none=True)
        (g_ab + g_ba + cycle + identity).backward()
        self.opt_g.step()
        # discriminators: real vs a pooled history of fakes, halved as in the release
        self.D_A.requires_grad_(True)
        self.D_B.requires_grad_(True)
        old_b = self.pool_b.query(fake_b, self.generator)
        old_a = self.pool_a.query(fake_a, self.generator)
        with self._autocast():
            d_b = 0.5 * (lsgan(self.D_B(real_b), True) + lsgan(self.D_B(old_b), False))
            d_a = 0.5 * (lsgan(self.D_A(real_a), True) + lsgan(self.D_A(old_a), False))
        self.opt_d.zero_grad(set_to_none=True)
        (d_a + d_b).backward()
        self.opt_d.step()
        return torch.stack([g_ab.detach(), g_ba.detach(), cycle.detach(), identity.detach(),
                            d_a.detach(), d_b.detach()])

    def run(self, steps: int) -> list[CycleStats]:
        """Train ``steps`` steps; statistics come off the device once, at the end.

        Raises TrainingDiverged (after restoring the last good weights) on NaN/inf.
        """
        if self.stopped_reason:
            raise TrainingDiverged(self.stopped_reason)
        start = time.perf_counter()
        rates = [self.lr_at(self.step_count + i) for i in range(steps)]
        raw = torch.stack([self._one_step(lr) for lr in rates]).cpu()  # the one sync
        elapsed = time.perf_counter() - start
        self.wall_time_s += elapsed
        if not torch.isfinite(raw).all():
            bad = int((~torch.isfinite(raw)).any(dim=1).nonzero()[0, 0])
            self.restore(self._last_good)
            self.stopped_reason = (f"training diverged at step {self.step_count + bad + 1}: a loss became "
                                   f"NaN/inf. Weights were restored to step {self._last_good['step']}; "
                                   "try a lower learning rate.")
            raise TrainingDiverged(self.stopped_reason)
        new = []
        for row, lr in zip(raw.tolist(), rates):
            self.step_count += 1
            new.append(CycleStats(step=self.step_count, lr=lr, seconds=elapsed / steps,
                                  **dict(zip(CYCLE_STAT_NAMES, row))))
        self.history.extend(new)
        self._last_good = self._capture()
        return new

    def step(self) -> CycleStats:
        return self.run(1)[0]

    # -- state ----------------------------------------------------------------------
    def _capture(self) -> dict:
        snap = {name: {k: v.detach().clone() for k, v in net.state_dict().items()}
                for name, net in self.networks.items()}
        snap["step"] = self.step_count
        snap["optimizers"] = [copy.deepcopy(opt.state_dict()) for opt in (self.opt_g, self.opt_d)]
        return snap

    def restore(self, snapshot: dict) -> None:
        """Weights and optimizer moments back to ``snapshot`` (NaN moments would poison a resume)."""
        for name, net in self.networks.items():
            net.load_state_dict(snapshot[name])
        for opt, state in zip((self.opt_g, self.opt_d), snapshot.get("optimizers") or ()):
            restore_moments(opt, state)

    @torch.no_grad()
    def sample_triplets(self) -> dict[str, Tensor]:
        """A -> B -> A and B -> A -> B on the fixed examples (float CPU tensors in [-1, 1])."""
        out = {}
        for name, real, fwd, back in (("a", self.fixed_a, self.G_AB, self.G_BA),
                                       ("b", self.fixed_b, self.G_BA, self.G_AB)):
            with self._autocast():
                fake = fwd(real)
                rec = back(fake)
            out[f"real_{name}"], out[f"fake_{name}"], out[f"rec_{name}"] = (
                t.float().cpu() for t in (real, fake, rec))
        return out
