"""One rank of a 2-process CPU (gloo) run, for tests/test_ddp.py: train a GAN Trainer a few
steps under :mod:`ganlab.engine.distributed` and save this rank's weights."""

from __future__ import annotations

import json
from pathlib import Path

import torch
import torch.distributed as dist
from safetensors.torch import save_file


def train_rank(rank: int, world_size: int, init_file: str, out_dir: str, cfg_json: str, steps: int) -> None:
    from ganlab.engine.distributed import World
    from ganlab.families.gan.config import TrainConfig
    from ganlab.families.gan.trainer import Trainer

    torch.set_num_threads(1)
    dist.init_process_group("gloo", init_method=f"file://{init_file}", rank=rank, world_size=world_size)
    try:
        trainer = Trainer(TrainConfig.from_dict(json.loads(cfg_json)))
        trainer.distribute(World(rank, world_size, rank, "gloo"))
        trainer.run(steps)
        weights = {
            f"{name}.{k}": v.detach().clone().contiguous()
            for name in ("G", "D")
            for k, v in trainer.networks[name].state_dict().items()
        }
        save_file(weights, str(Path(out_dir) / f"rank{rank}.safetensors"))
        losses = [[s.d_loss, s.g_loss] for s in trainer.history]
        (Path(out_dir) / f"rank{rank}.json").write_text(json.dumps(losses))
    finally:
        dist.destroy_process_group()
