"""Training throughput: ganlab's Trainer vs a loop written like the PyTorch DCGAN example.

    PYTHONPATH=. python benchmarks/train_speed.py [--device cpu|cuda:0] [--steps 200] [--workers 2]
    PYTHONPATH=. python benchmarks/train_speed.py --ddp 2 [--device cuda] [--batch-size 256]

Both sides train the same DCGAN-28 (width 64) with BCE/non-saturating loss,
Adam 2e-4 (0.5, 0.999) and batch 64 on the same device, in one process. The
reference feeds batches through a DataLoader with ToTensor/Normalize
transforms and reads ``.item()`` every step, as pytorch/examples dcgan/main.py
does; ganlab keeps the data on the device and reads statistics once per chunk.
Data: MNIST from $GANLAB_DATA when present, else scikit-learn digits at 28 px.
Prints steps/s of each and the ratio.

``--ddp N`` measures something else: the same ganlab run at one global batch in one process
and split over N processes (:mod:`ganlab.engine.distributed`: nccl, one GPU per rank, on CUDA;
gloo on the CPU, where the threads are shared out and BatchNorm is replaced by instance norm,
since SyncBatchNorm runs on GPUs only). It prints images/s of each and the ratio.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np
import torch
import torch.nn as nn
from PIL import Image
from torch.utils.data import DataLoader, Dataset

from ganlab.families.gan.config import OptimizerConfig, TrainConfig
from ganlab.data import load_dataset
from ganlab.errors import DataUnavailable
from ganlab.families.gan.dcgan import DCGANDiscriminator, DCGANGenerator
from ganlab.families.gan.trainer import Trainer


class PILDataset(Dataset):
    """uint8 images served as PIL images through torchvision transforms, like torchvision.datasets."""

    def __init__(self, images: np.ndarray):
        import torchvision.transforms as T

        self.images = images
        self.transform = T.Compose([T.ToTensor(), T.Normalize((0.5,), (0.5,))])

    def __len__(self) -> int:
        return len(self.images)

    def __getitem__(self, index: int):
        return self.transform(Image.fromarray(self.images[index], mode="L")), 0


def load_images(root: str | None) -> tuple[str, np.ndarray]:
    try:
        ds = load_dataset("mnist", data_root=root)
        name = "mnist"
    except DataUnavailable:
        ds = load_dataset("digits", image_size=28)
        name = "digits@28"
    images = ((ds.data[:, 0] + 1) * 127.5).round().clamp(0, 255).to(torch.uint8).numpy()
    return name, images


def reference_steps_per_s(images: np.ndarray, device: torch.device, steps: int, warmup: int, workers: int) -> float:
    """The pytorch/examples DCGAN training loop, unchanged in spirit."""
    torch.manual_seed(0)
    net_g = DCGANGenerator(z_dim=100, image_size=28, channels=1, width=64).to(device)
    net_d = DCGANDiscriminator(image_size=28, channels=1, width=64).to(device)
    criterion = nn.BCEWithLogitsLoss()
    opt_d = torch.optim.Adam(net_d.parameters(), lr=2e-4, betas=(0.5, 0.999))
    opt_g = torch.optim.Adam(net_g.parameters(), lr=2e-4, betas=(0.5, 0.999))
    loader = DataLoader(
        PILDataset(images),
        batch_size=64,
        shuffle=True,
        num_workers=workers,
        drop_last=True,
        persistent_workers=workers > 0,
    )
    done, start = 0, None
    while done < steps + warmup:
        for real_cpu, _ in loader:
            if done == warmup:
                if device.type == "cuda":
                    torch.cuda.synchronize(device)
                start = time.perf_counter()
            real = real_cpu.to(device)
            b = real.size(0)
            net_d.zero_grad()
            label = torch.full((b,), 1.0, device=device)
            out = net_d(real)
            err_d_real = criterion(out, label)
            err_d_real.backward()
            d_x = out.sigmoid().mean().item()
            noise = torch.randn(b, 100, device=device)
            fake = net_g(noise)
            label.fill_(0.0)
            out = net_d(fake.detach())
            err_d_fake = criterion(out, label)
            err_d_fake.backward()
            d_g_z1 = out.sigmoid().mean().item()
            err_d = err_d_real + err_d_fake
            opt_d.step()
            net_g.zero_grad()
            label.fill_(1.0)
            out = net_d(fake)
            err_g = criterion(out, label)
            err_g.backward()
            d_g_z2 = out.sigmoid().mean().item()
            opt_g.step()
            _ = (err_d.item(), err_g.item(), d_x, d_g_z1, d_g_z2)  # the example prints these each step
            done += 1
            if done >= steps + warmup:
                break
    return steps / (time.perf_counter() - start)


def ganlab_steps_per_s(
    dataset: str, root: str | None, device: torch.device, steps: int, warmup: int, precision: str
) -> float:
    cfg = TrainConfig(
        dataset="mnist" if dataset == "mnist" else "digits",
        data_root=root,
        image_size=28,
        model="dcgan",
        width=64,
        z_dim=100,
        objective="nonsaturating",
        g_optim=OptimizerConfig("adam", 2e-4, 0.5, 0.999),
        d_optim=OptimizerConfig("adam", 2e-4, 0.5, 0.999),
        batch_size=64,
        device=str(device),
        precision=precision,
        steps=steps + warmup,
    )
    trainer = Trainer(cfg)
    trainer.run(warmup)
    chunk = 50
    start = time.perf_counter()
    done = 0
    while done < steps:
        n = min(chunk, steps - done)
        trainer.run(n)  # reads its stats from the device once per chunk
        done += n
    return steps / (time.perf_counter() - start)


def _ddp_config(device: str, batch: int, steps: int, root: str | None, name: str) -> TrainConfig:
    return TrainConfig(
        dataset="mnist" if name == "mnist" else "digits",
        data_root=root,
        image_size=28,
        model="dcgan",
        width=64,
        z_dim=100,
        objective="nonsaturating",
        norm="batch" if device.startswith("cuda") else "instance",
        g_optim=OptimizerConfig("adam", 2e-4, 0.5, 0.999),
        d_optim=OptimizerConfig("adam", 2e-4, 0.5, 0.999),
        batch_size=batch,
        device=device,
        precision="fp32",
        steps=steps,
    )


def _timed(trainer: Trainer, steps: int, warmup: int) -> float:
    trainer.run(warmup)
    if trainer.device.type == "cuda":
        torch.cuda.synchronize(trainer.device)
    start = time.perf_counter()
    trainer.run(steps)  # the one stats sync at the end also waits for the device
    return steps / (time.perf_counter() - start)


def _ddp_rank(rank: int, n: int, init_file: str, cfg_json: str, steps: int, warmup: int, out: str) -> None:
    import torch.distributed as dist

    from ganlab.engine.distributed import World

    cuda = json.loads(cfg_json)["device"].startswith("cuda")
    backend = "nccl" if cuda else "gloo"
    if cuda:
        torch.cuda.set_device(rank)
    else:
        torch.set_num_threads(max(1, (os.cpu_count() or n) // n))
    dist.init_process_group(backend, init_method=f"file://{init_file}", rank=rank, world_size=n)
    cfg = TrainConfig.from_dict({**json.loads(cfg_json), "device": f"cuda:{rank}" if cuda else "cpu"})
    trainer = Trainer(cfg)
    trainer.distribute(World(rank, n, rank, backend))
    rate = _timed(trainer, steps, warmup)
    if rank == 0:
        Path(out).write_text(str(rate))
    dist.destroy_process_group()


def ddp_main(n: int, device: str, batch: int, steps: int, warmup: int) -> None:
    import tempfile

    import torch.multiprocessing as mp

    root = os.environ.get("GANLAB_DATA")
    name, _ = load_images(root)
    cfg = _ddp_config(device, batch, steps + warmup + 10, root, name)
    if device.startswith("cuda") and torch.cuda.device_count() < n:
        raise SystemExit(f"--ddp {n} on CUDA needs {n} GPUs; this machine has {torch.cuda.device_count()}")
    print(f"data: {name}; DCGAN-28 width 64 (norm {cfg.norm}), global batch {batch}, {steps} timed steps")
    single = _timed(Trainer(cfg), steps, warmup)
    print(f"1 process ({device}):           {single * batch:9.0f} images/s", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        out = str(Path(tmp) / "rate")
        mp.start_processes(
            _ddp_rank,
            args=(n, str(Path(tmp) / "init"), cfg.to_json(), steps, warmup, out),
            nprocs=n,
            join=True,
            start_method="spawn",
        )
        rate = float(Path(out).read_text())
    print(f"{n} processes (ganlab.engine.distributed): {rate * batch:9.0f} images/s")
    print(f"ratio {n} processes / 1 process: {rate / single:.2f}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda:0" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--steps", type=int, default=None)
    parser.add_argument("--warmup", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2, help="DataLoader workers of the reference (example: 2)")
    parser.add_argument("--precision", default="auto", help="ganlab precision: auto (bf16 on CUDA), fp32, bf16")
    parser.add_argument("--ddp", type=int, default=0, help="compare 1 process with this many (global batch kept)")
    parser.add_argument("--batch-size", type=int, default=256, help="the global batch of --ddp")
    args = parser.parse_args()
    if args.ddp:
        return ddp_main(args.ddp, args.device, args.batch_size, args.steps or 40, args.warmup)
    device = torch.device(args.device)
    steps = args.steps or (1000 if device.type == "cuda" else 60)
    root = os.environ.get("GANLAB_DATA")
    name, images = load_images(root)
    if device.type == "cuda":
        what = torch.cuda.get_device_name(device)
    else:
        what = f"CPU, {torch.get_num_threads()} threads"
    print(f"device: {device} ({what}); data: {name}; DCGAN-28 width 64, batch 64, {steps} timed steps")
    ref = reference_steps_per_s(images, device, steps, args.warmup, args.workers)
    print(f"reference (DataLoader, .item() per step): {ref:8.1f} steps/s", flush=True)
    ours = ganlab_steps_per_s(name, root, device, steps, args.warmup, args.precision)
    print(f"ganlab Trainer (precision {args.precision}):   {ours:8.1f} steps/s")
    print(f"ratio ganlab / reference: {ours / ref:.2f}x")


if __name__ == "__main__":
    main()
