"""The CLI end to end on CPU (train -> sample -> eval), and one-line errors for bad input."""

import csv
import json
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]


def cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run(
        [sys.executable, "-m", "ganlab", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"},
    )
    if check:
        assert proc.returncode == 0, proc.stderr
    return proc


@pytest.mark.slow
def test_points_train_sample_eval(tmp_path):
    run = tmp_path / "ring"
    cli("train", "--dataset", "ring8", "--steps", "300", "--seed", "1", "--out", str(run), "--quiet")
    for name in ("model.safetensors", "model.json", "losses.csv", "samples.png"):
        assert (run / name).is_file(), name
    rows = list(csv.DictReader(open(run / "losses.csv")))
    assert len(rows) == 300 and rows[-1]["step"] == "300"
    assert Image.open(run / "samples.png").size[0] > 100
    out = tmp_path / "pts.csv"
    cli("sample", str(run), "--n", "50", "--out", str(out), "--seed", "2")
    rows = list(csv.reader(open(out)))
    assert rows[0] == ["x", "y"] and len(rows) == 51
    float(rows[1][0]), float(rows[1][1])
    evaluated = cli("eval", str(run))
    assert "modes" in evaluated.stdout


@pytest.mark.slow
def test_image_train_resume_sample(tmp_path):
    run = tmp_path / "digits"
    cli("train", "--dataset", "digits", "--steps", "20", "--width", "8", "--conditional", "--out", str(run), "--quiet")
    cli("train", "--dataset", "digits", "--steps", "30", "--out", str(run), "--resume", "--quiet")
    rows = list(csv.DictReader(open(run / "losses.csv")))
    assert [int(r["step"]) for r in rows] == list(range(1, 31))
    out = tmp_path / "imgs"
    cli("sample", str(run), "--n", "7", "--out", str(out), "--label", "3")
    files = sorted(out.glob("*.png"))
    assert len(files) == 7
    assert Image.open(files[0]).size == (16, 16)


@pytest.mark.parametrize(
    "args,needle",
    [
        (["train", "--dataset", "ring8", "--batch-size", "0", "--out", "X"], "batch_size"),
        (["train", "--dataset", "ring8", "--g-lr", "1e9", "--out", "X"], "g_optim.lr"),
        (["train", "--dataset", "ring8", "--objective", "magic", "--out", "X"], "objective"),
        (["train", "--dataset", "ring8", "--device", "cuda:7", "--out", "X"], "cuda:7"),
        (["train", "--dataset", "nope", "--out", "X"], "unknown data set"),
        (["sample", "no-such-checkpoint", "--n", "3", "--out", "X"], "not found"),
        (["sample", "pretrained-missing", "--n", "0", "--out", "X"], "--n"),
        (["train", "--dataset", "ring8", "--steps", "abc", "--out", "X"], "invalid int"),
        (["train", "--dataset", "digits", "--d-norm", "group", "--out", "X"], "d_norm"),
    ],
)
def test_bad_arguments_give_one_line_and_exit_2(tmp_path, args, needle):
    args = [str(tmp_path / a) if a == "X" else a for a in args]
    proc = cli(*args, check=False)
    assert proc.returncode == 2
    assert needle in proc.stderr
    assert "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_time_budget_stops_early_with_everything_saved(tmp_path):
    run = tmp_path / "budget"
    proc = cli(
        "train", "--dataset", "ring8", "--steps", "1000000", "--max-minutes", "0.05", "--out", str(run), "--quiet"
    )
    assert "stopped early" in proc.stdout
    saved = json.loads((run / "model.json").read_text())
    rows = list(csv.DictReader(open(run / "losses.csv")))
    assert 0 < saved["step"] < 1_000_000 and len(rows) == saved["step"]
    assert (run / "samples.png").is_file()


def test_train_refuses_to_overwrite_a_run(tmp_path):
    run = tmp_path / "r"
    cli("train", "--dataset", "ring8", "--steps", "5", "--out", str(run), "--quiet")
    before = (run / "model.safetensors").read_bytes()
    proc = cli("train", "--dataset", "ring8", "--steps", "5", "--out", str(run), "--quiet", check=False)
    assert proc.returncode == 2 and "--resume" in proc.stderr
    assert (run / "model.safetensors").read_bytes() == before


def test_devices_lists_the_cpu():
    assert "cpu" in cli("devices").stdout


def test_a_truncated_safetensors_file_is_named_in_the_error(tmp_path):
    import torch
    from safetensors.torch import save

    alone = tmp_path / "downloads"
    alone.mkdir()
    cut = alone / "ring.safetensors"
    cut.write_bytes(save({"G.net.0.weight": torch.zeros(64, 2)})[:300])  # a download cut short, nothing beside it
    proc = cli("sample", str(cut), "--n", "3", "--out", str(tmp_path / "pts.csv"), check=False)
    message = proc.stderr.strip()
    assert proc.returncode == 2 and len(message.splitlines()) == 1, message
    assert str(cut) in message and ("truncated" in message or "unreadable" in message), message
    assert not (tmp_path / "pts.csv").exists()


def test_d_norm_gives_d_its_own_normalisation_and_the_run_resumes(tmp_path):
    """#17's "R1 instead of BN in D": --d-norm none drops D's BatchNorm and keeps G's; a run
    saved before the option existed (no d_norm in its config) still builds D with G's norm."""
    import torch.nn as nn

    from ganlab.cli import main
    from ganlab.families.gan.config import TrainConfig
    from ganlab.families.gan.trainer import Trainer

    run = tmp_path / "r1-no-bn"
    flags = ["--dataset", "digits", "--width", "8", "--d-norm", "none", "--r1-weight", "1", "--device", "cpu"]
    assert main(["train", *flags, "--steps", "2", "--out", str(run), "--quiet"]) == 0
    assert main(["train", "--dataset", "digits", "--steps", "4", "--out", str(run), "--resume", "--quiet"]) == 0
    saved = json.loads((run / "model.json").read_text())
    assert saved["step"] == 4 and saved["config"]["d_norm"] == "none" and saved["config"]["norm"] == "batch"

    def batchnorms(module: nn.Module) -> int:
        return sum(isinstance(m, nn.BatchNorm2d) for m in module.modules())

    trainer = Trainer(TrainConfig.from_dict(saved["config"]))
    assert batchnorms(trainer.G) > 0 and batchnorms(trainer.D) == 0
    before = {k: v for k, v in saved["config"].items() if k != "d_norm"}  # a config from an older run
    assert batchnorms(Trainer(TrainConfig.from_dict(before)).D) > 0


def test_a_resume_after_a_kill_between_saves_keeps_each_step_once_in_losses_csv(tmp_path):
    """Rows reach losses.csv every chunk, checkpoints only every --checkpoint-every steps: a run
    killed in between leaves rows its checkpoint never saw. The resume retrains those steps, and
    losses.csv still has each step once, in order (it used to have them twice)."""
    from ganlab.cli import main

    run = tmp_path / "ring"
    assert main(["train", "--dataset", "ring8", "--steps", "20", "--out", str(run), "--device", "cpu", "--quiet"]) == 0
    with open(run / "losses.csv") as handle:
        last = handle.read().splitlines()[-1].split(",")
    with open(run / "losses.csv", "a") as handle:  # what the killed run wrote after its last save
        handle.writelines(",".join([str(step), *last[1:]]) + "\n" for step in range(21, 31))
    assert main(["train", "--dataset", "ring8", "--steps", "40", "--out", str(run), "--resume", "--quiet"]) == 0
    steps = [int(row["step"]) for row in csv.DictReader(open(run / "losses.csv"))]
    assert steps == list(range(1, 41))
