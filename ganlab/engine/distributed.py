"""One run across N processes: ``torchrun --nproc-per-node N -m ganlab train ...``.

torchrun starts N copies of the command and sets RANK, WORLD_SIZE and LOCAL_RANK; each copy
builds the same trainer from the same seed, so every rank starts with the same weights (rank
0's are broadcast anyway, e.g. after a resume). The backend is nccl on CUDA, one GPU per
rank (``cuda:LOCAL_RANK``), and gloo on the CPU.

How a step is split: each rank draws the *global* batch from the run's one random stream (the
same on every rank), keeps its own shard of it (:meth:`World.shard`: its real samples, its z,
its labels), and backpropagates its shard's mean loss. Before each optimizer step the
gradients of that optimizer's parameters are averaged over the ranks with one all-reduce, the
averaging DistributedDataParallel does. So a 2-rank run with global batch B takes the steps a
1-process run with batch B takes, up to float rounding, and the weights stay identical on every
rank.

Why not wrap the networks in DistributedDataParallel: its gradient hooks fire during backward,
which breaks the double backward of R1 and the gradient penalty (pytorch#47562) and needs D
frozen or unwrapped for G's update. Averaging after the whole backward is correct for all of
them by construction, and the checkpoints keep their plain names (no ``module.`` prefix). The
price is that communication does not overlap the backward pass: for the small models here it
is a small share of a step.

BatchNorm becomes SyncBatchNorm on CUDA, so its statistics are the global batch's. PyTorch runs
SyncBatchNorm on accelerators only, so on the CPU a network with BatchNorm is refused with a
message rather than trained with per-shard statistics.
"""

from __future__ import annotations

import datetime
import os
from dataclasses import dataclass
from typing import Iterable

import torch
import torch.distributed as dist
from torch import Tensor, nn

from ganlab.errors import ConfigError

TIMEOUT = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class World:
    """This process's place in a distributed run."""

    rank: int
    size: int
    local_rank: int
    backend: str

    @property
    def is_main(self) -> bool:
        """Rank 0 writes the logs, samples and checkpoints."""
        return self.rank == 0

    def shard(self, batch: Tensor) -> Tensor:
        """This rank's contiguous share of a global batch (the batch divides evenly: checked at start)."""
        per = batch.shape[0] // self.size
        return batch[self.rank * per : (self.rank + 1) * per]

    def mean_(self, tensor: Tensor) -> Tensor:
        """Average ``tensor`` over the ranks, in place."""
        dist.all_reduce(tensor)
        return tensor.div_(self.size)

    def any(self, flag: bool, device: torch.device) -> bool:
        """True on every rank when it is True on any: for decisions every rank must take together."""
        t = torch.tensor(float(flag), device=device)
        dist.all_reduce(t, op=dist.ReduceOp.MAX)
        return bool(t.item())

    def average_gradients(self, params: Iterable[nn.Parameter]) -> None:
        """Average the gradients of ``params`` over the ranks: one all-reduce of one flat buffer."""
        grads = [p.grad for p in params if p.grad is not None]
        if not grads:
            return
        flat = torch.cat([g.reshape(-1) for g in grads])
        self.mean_(flat)
        offset = 0
        for g in grads:
            g.copy_(flat[offset : offset + g.numel()].view_as(g))
            offset += g.numel()

    def broadcast_(self, module: nn.Module) -> None:
        """Rank 0's weights and buffers on every rank."""
        with torch.no_grad():
            for t in [*module.parameters(), *module.buffers()]:
                dist.broadcast(t.data, src=0)

    def describe(self) -> dict:
        """What model.json records about the run."""
        return {"world_size": self.size, "backend": self.backend}


def from_env() -> World | None:
    """The world torchrun describes in the environment, or None for a plain single process."""
    size = int(os.environ.get("WORLD_SIZE", "1") or 1)
    if size <= 1:
        return None
    rank = int(os.environ.get("RANK", "0"))
    local_rank = int(os.environ.get("LOCAL_RANK", str(rank)))
    backend = "nccl" if torch.cuda.is_available() and os.environ.get("GANLAB_DDP_BACKEND") != "gloo" else "gloo"
    return World(rank, size, local_rank, os.environ.get("GANLAB_DDP_BACKEND") or backend)


def rank_device(world: World, requested: str | None) -> str:
    """The device of this rank: ``cuda:LOCAL_RANK`` under nccl, the CPU under gloo."""
    if world.backend == "nccl":
        if requested not in (None, "auto", "cuda") and not str(requested).startswith("cuda"):
            raise ConfigError(
                f"--device: {requested!r} under torchrun with nccl; nccl runs one CUDA GPU per "
                "rank (leave --device out, or set GANLAB_DDP_BACKEND=gloo for the CPU)"
            )
        return f"cuda:{world.local_rank}"
    if requested not in (None, "auto", "cpu"):
        raise ConfigError(f"--device: {requested!r} under torchrun with gloo; gloo here trains on the CPU")
    return "cpu"


def start(world: World) -> None:
    """Join the process group torchrun set up (MASTER_ADDR/MASTER_PORT come from it)."""
    if world.backend == "nccl":
        torch.cuda.set_device(world.local_rank)
    if not dist.is_initialized():
        dist.init_process_group(world.backend, rank=world.rank, world_size=world.size, timeout=TIMEOUT)


def finish() -> None:
    if dist.is_initialized():
        dist.barrier()
        dist.destroy_process_group()


def check_batch(batch_size: int, world: World) -> None:
    """The global batch must split evenly over the ranks (then a rank's share is batch / N)."""
    if batch_size % world.size:
        raise ConfigError(
            f"--batch-size: {batch_size} does not split over {world.size} processes; the batch is the "
            f"global one (each rank takes batch / {world.size}), so pick a multiple of {world.size}"
        )


def sync_batchnorm(module: nn.Module, device: torch.device, name: str) -> nn.Module:
    """``module`` with SyncBatchNorm for BatchNorm (in place; parameters stay the same objects),
    or ConfigError on the CPU, where PyTorch has no SyncBatchNorm."""
    has_bn = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in module.modules())
    if not has_bn:
        return module
    if device.type == "cpu":
        raise ConfigError(
            f"{name} has BatchNorm, which under torchrun becomes SyncBatchNorm, and PyTorch runs "
            "SyncBatchNorm on GPUs only. On the CPU pick a model without it (--norm instance or "
            "--norm none for a DCGAN; the 2D MLPs have none), or train in one process"
        )
    return nn.SyncBatchNorm.convert_sync_batchnorm(module)
