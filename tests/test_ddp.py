"""One run across processes (``torchrun --nproc-per-node N -m ganlab train``), on the CPU with
gloo and 2 ranks: the weights stay identical across ranks, a 2-rank run with global batch B
takes the steps a 1-process run with batch B takes, and its checkpoint is like any other."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import torch
import torch.multiprocessing as mp
from safetensors.torch import load_file

from ddp_worker import train_rank
from ganlab.families.gan.config import TrainConfig
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.trainer import Trainer

ROOT = Path(__file__).resolve().parents[1]
STEPS = 17  # past two lazy-R1 steps of the ring-8 preset (every 8)


def _configs() -> dict[str, TrainConfig]:
    ring = recommended_config("ring8").updated(batch_size=64, steps=1000)  # R1 (double backward), lr decay
    gp = ring.updated(objective="wgan-gp", r1_weight=0.0, d_steps=2)  # the gradient penalty's double backward
    return {"ring8 preset (R1)": ring, "wgan-gp": gp}


@pytest.mark.parametrize("name", list(_configs()))
def test_two_ranks_keep_one_set_of_weights_and_match_one_process(name, tmp_path):
    cfg = _configs()[name]
    mp.start_processes(
        train_rank,
        args=(2, str(tmp_path / "init"), str(tmp_path), cfg.to_json(), STEPS),
        nprocs=2,
        join=True,
        start_method="spawn",
    )
    rank0, rank1 = (load_file(str(tmp_path / f"rank{r}.safetensors")) for r in (0, 1))
    for key in rank0:
        assert torch.equal(rank0[key], rank1[key]), f"{key} differs between the ranks"
    torch.set_num_threads(1)
    alone = Trainer(cfg)
    alone.run(STEPS)
    for key, value in rank0.items():
        net, param = key.split(".", 1)
        single = alone.networks[net].state_dict()[param]
        assert torch.allclose(value, single, rtol=1e-4, atol=1e-5), (
            f"{key}: the 2-rank run left the 1-process run by {(value - single).abs().max():.2e}"
        )
    distributed_losses = json.loads((tmp_path / "rank0.json").read_text())
    single_losses = [[s.d_loss, s.g_loss] for s in alone.history]
    assert torch.allclose(torch.tensor(distributed_losses), torch.tensor(single_losses), rtol=1e-4, atol=1e-5)


def _torchrun(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(
        os.environ, OMP_NUM_THREADS="1", PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])
    )
    return subprocess.run(
        [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node", "2", "-m", "ganlab", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )


def _ganlab(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    return subprocess.run(
        [sys.executable, "-m", "ganlab", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def test_a_torchrun_checkpoint_records_the_run_samples_and_resumes(tmp_path):
    out = tmp_path / "run"
    done = _torchrun(
        "train",
        "--dataset",
        "ring8",
        "--steps",
        "120",
        "--batch-size",
        "64",
        "--out",
        str(out),
        "--quiet",
        cwd=tmp_path,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.count("finished at step 120") == 1  # rank 0 alone reports (and writes)
    meta = json.loads((out / "model.json").read_text())
    assert (meta["world_size"], meta["backend"], meta["step"]) == (2, "gloo", 120)
    assert len((out / "losses.csv").read_text().splitlines()) == 121  # header + one row per step, once
    sampled = _ganlab("sample", str(out), "--n", "16", "--out", str(tmp_path / "s.png"), cwd=tmp_path)
    assert sampled.returncode == 0, sampled.stderr[-2000:]
    again = _torchrun(
        "train", "--dataset", "ring8", "--out", str(out), "--resume", "--steps", "160", "--quiet", cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr[-3000:]
    assert json.loads((out / "model.json").read_text())["step"] == 160
    alone = _ganlab(
        "train", "--dataset", "ring8", "--out", str(out), "--resume", "--steps", "180", "--quiet", cwd=tmp_path
    )
    assert alone.returncode == 0, alone.stderr[-2000:]
    assert json.loads((out / "model.json").read_text())["step"] == 180


@pytest.mark.parametrize(
    "args, message",
    [
        (["--dataset", "digits"], "G has BatchNorm, which under torchrun becomes SyncBatchNorm"),
        (["--dataset", "ring8", "--batch-size", "63"], "--batch-size: 63 does not split over 2 processes"),
        (
            ["--dataset", "digits", "--model", "stylegan"],
            "torchrun: the stylegan family does not train across processes yet",
        ),
    ],
)
def test_what_torchrun_cannot_split_is_refused_by_name(args, message, tmp_path):
    done = _torchrun("train", *args, "--steps", "10", "--out", str(tmp_path / "run"), "--quiet", cwd=tmp_path)
    assert done.returncode != 0
    assert f"error: {message}" in done.stderr
    assert f"{os.sep}ganlab{os.sep}" not in done.stderr  # no traceback from our code (torchrun prints its own)
    assert not (tmp_path / "run" / "model.json").exists()
