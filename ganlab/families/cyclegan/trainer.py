"""CycleGAN training, one step at a time: both generators, then both discriminators.

The engine's :class:`~ganlab.engine.runner.StepRunner` runs it: the data
(uint8 tensors), the four networks, the image pools and one random generator
live on the device; ``run(k)`` reads the statistics from the device once
per k steps and returns plain numbers. Only what makes it a CycleGAN is here.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass

import torch
import torch.nn.functional as F
from torch import Tensor

from ganlab.data.unpaired import UnpairedImages, load_unpaired
from ganlab.engine.devices import resolve_device
from ganlab.engine.runner import StepRunner, stat_columns
from ganlab.nn.losses import least_squares
from ganlab.families.cyclegan.models import PatchDiscriminator, ResnetGenerator
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.gan.config import OptimizerConfig

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


HISTORY_COLUMNS = stat_columns(CycleStats)  # losses.csv and the live history, in this order


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
            self.images[self.count : self.count + room] = images[:room]
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


class CycleGANTrainer(StepRunner):
    """Owns a CycleGAN run: G_AB (A->B), G_BA (B->A), D_A (judges A), D_B (judges B)."""

    EXAMPLES = 4
    divergence_advice = "Try a lower learning rate."

    def __init__(self, cfg: CycleGANConfig, data: UnpairedImages | None = None):
        self.cfg = cfg.validate()
        super().__init__(resolve_device(cfg.device), cfg.seed)
        if data is None:
            data = load_unpaired(
                cfg.dataset, cfg.data_root, cfg.resolved_load_size, cfg.image_size, cfg.max_images, cfg.flip
            )
        self.data = data.to(self.device)
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(cfg.seed)
            nets = {
                "G_AB": ResnetGenerator(3, 3, cfg.ngf, cfg.n_blocks, cfg.upsample),
                "G_BA": ResnetGenerator(3, 3, cfg.ngf, cfg.n_blocks, cfg.upsample),
                "D_A": PatchDiscriminator(3, cfg.ndf, cfg.n_layers_d),
                "D_B": PatchDiscriminator(3, cfg.ndf, cfg.n_layers_d),
            }
        self.channels_last = cfg.channels_last  # asked for: honoured on every device (fused Adam too)
        self.G_AB, self.G_BA, self.D_A, self.D_B = (self.add_network(n, m) for n, m in nets.items())
        adam = OptimizerConfig("adam", cfg.lr, cfg.beta1, cfg.beta2)
        self.opt_g = self.add_optimizer("g", adam, itertools.chain(self.G_AB.parameters(), self.G_BA.parameters()))
        self.opt_d = self.add_optimizer("d", adam, itertools.chain(self.D_A.parameters(), self.D_B.parameters()))
        use_bf16 = cfg.precision == "bf16" or (cfg.precision == "auto" and self.device.type == "cuda")
        self.autocast_dtype = torch.bfloat16 if use_bf16 else None
        self.pool_a, self.pool_b = ImagePool(cfg.pool_size), ImagePool(cfg.pool_size)
        self.total_steps = cfg.steps
        self.fixed_a, self.fixed_b = (x.to(self.device) for x in self.data.examples(self.EXAMPLES))
        self.ready()

    @property
    def domains(self) -> tuple[str, str]:
        return tuple(self.data.domains)

    # -- schedule -----------------------------------------------------------------
    def lr_factor(self, step: int) -> float:
        """Constant until ``decay_from`` x total steps, then linear to zero at the last step."""
        start = int(self.total_steps * self.cfg.decay_from)
        if step < start:
            return 1.0
        return max(self.total_steps - step, 0) / max(self.total_steps - start, 1)

    def lr_at(self, step: int) -> float:
        """The learning rate in force at ``step`` (0-based)."""
        return self.base_lr["g"] * self.lr_factor(step)

    def set_total_steps(self, steps: int) -> None:
        """Re-plan the run's length (a time budget measured in steps); the decay follows it."""
        self.total_steps = max(int(steps), self.step_count + 1)

    # -- the step -----------------------------------------------------------------
    def _batch(self) -> tuple[Tensor, Tensor]:
        a, b = self.data.sample(self.cfg.batch_size, self.generator)
        if self.channels_last:
            a, b = a.contiguous(memory_format=torch.channels_last), b.contiguous(memory_format=torch.channels_last)
        return a, b

    def train_step(self, step: int) -> Tensor:
        cfg = self.cfg
        for net in (self.G_AB, self.G_BA, self.D_A, self.D_B):
            net.train()
        real_a, real_b = self._batch()
        # generators: fool both discriminators, cycle back, and leave the target domain alone
        self.D_A.requires_grad_(False)
        self.D_B.requires_grad_(False)
        with self.autocast():
            fake_b = self.G_AB(real_a)
            fake_a = self.G_BA(real_b)
            cycle = cfg.lambda_cycle * (
                F.l1_loss(self.G_BA(fake_b).float(), real_a) + F.l1_loss(self.G_AB(fake_a).float(), real_b)
            )
            if cfg.lambda_identity > 0:
                identity = (
                    cfg.lambda_cycle
                    * cfg.lambda_identity
                    * (F.l1_loss(self.G_AB(real_b).float(), real_b) + F.l1_loss(self.G_BA(real_a).float(), real_a))
                )
            else:
                identity = torch.zeros((), device=self.device)
            g_ab = least_squares(self.D_B(fake_b), True)
            g_ba = least_squares(self.D_A(fake_a), True)
        self.opt_g.zero_grad(set_to_none=True)
        (g_ab + g_ba + cycle + identity).backward()
        self.opt_g.step()
        # discriminators: real vs a pooled history of fakes, halved as in the release
        self.D_A.requires_grad_(True)
        self.D_B.requires_grad_(True)
        old_b = self.pool_b.query(fake_b, self.generator)
        old_a = self.pool_a.query(fake_a, self.generator)
        with self.autocast():
            d_b = 0.5 * (least_squares(self.D_B(real_b), True) + least_squares(self.D_B(old_b), False))
            d_a = 0.5 * (least_squares(self.D_A(real_a), True) + least_squares(self.D_A(old_a), False))
        self.opt_d.zero_grad(set_to_none=True)
        (d_a + d_b).backward()
        self.opt_d.step()
        return torch.stack(
            [g_ab.detach(), g_ba.detach(), cycle.detach(), identity.detach(), d_a.detach(), d_b.detach()]
        )

    def make_stats(self, step: int, values: list[float], seconds: float) -> CycleStats:
        return CycleStats(step=step, lr=self.lr_at(step - 1), seconds=seconds, **dict(zip(CYCLE_STAT_NAMES, values)))

    @torch.no_grad()
    def sample_triplets(self) -> dict[str, Tensor]:
        """A -> B -> A and B -> A -> B on the fixed examples (float CPU tensors in [-1, 1])."""
        out = {}
        for name, real, fwd, back in (
            ("a", self.fixed_a, self.G_AB, self.G_BA),
            ("b", self.fixed_b, self.G_BA, self.G_AB),
        ):
            with self.autocast():
                fake = fwd(real)
                rec = back(fake)
            out[f"real_{name}"], out[f"fake_{name}"], out[f"rec_{name}"] = (t.float().cpu() for t in (real, fake, rec))
        return out
