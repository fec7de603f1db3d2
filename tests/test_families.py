"""The family registry: how a run finds its family, and that a new family plugs in untouched."""

from __future__ import annotations

import csv
import time

import pytest
import torch

import toy_family
from ganlab.cli import main
from ganlab.engine.background import DeviceSlots
from ganlab.errors import ConfigError
from ganlab.families import FAMILIES, family_for


def test_the_family_follows_from_the_flag_the_model_or_the_data_set():
    assert family_for(dataset="ring8").name == "gan"
    assert family_for(dataset="digits").name == "gan"
    assert family_for(dataset="unpaired:a,b").name == "cyclegan"
    assert family_for(dataset="summer2winter").name == "cyclegan"
    assert family_for(model="dcgan", dataset="digits").name == "gan"
    assert family_for(model="cyclegan", dataset="folder:x").name == "cyclegan"
    assert family_for(family="cyclegan", dataset="folder:x").name == "cyclegan"


def test_a_family_and_a_model_that_disagree_are_named():
    with pytest.raises(ConfigError, match="model: 'dcgan' is not a cyclegan model"):
        family_for(family="cyclegan", model="dcgan")
    with pytest.raises(
        ConfigError,
        match="model: must be one of auto, mlp, dcgan, cyclegan, stylegan, pix2pix, srresnet, srgan; got 'vae'",
    ):
        family_for(model="vae")
    with pytest.raises(ConfigError, match="family: must be one of"):
        family_for(family="diffusion")


def test_train_refuses_a_model_of_another_family(capsys, tmp_path):
    code = main(
        ["train", "--dataset", "digits", "--family", "cyclegan", "--model", "dcgan", "--out", str(tmp_path / "run")]
    )
    assert code == 2
    assert "model: 'dcgan' is not a cyclegan model" in capsys.readouterr().err
    assert not (tmp_path / "run").exists()


@pytest.fixture
def toy_registered(monkeypatch):
    monkeypatch.setitem(FAMILIES, "toy", toy_family.FAMILY)
    return toy_family.FAMILY


def test_a_new_family_trains_saves_and_resumes_through_the_one_train_command(toy_registered, tmp_path, capsys):
    out = tmp_path / "run"
    assert main(["train", "--dataset", "toy", "--target", "2.5", "--steps", "40", "--out", str(out), "--quiet"]) == 0
    assert "finished at step 40" in capsys.readouterr().out
    rows = list(csv.DictReader((out / "losses.csv").open()))
    assert [r["step"] for r in rows] == [str(i) for i in range(1, 41)]
    assert float(rows[-1]["loss"]) < 1e-3 < float(rows[0]["loss"])  # it really learned
    assert main(["train", "--dataset", "toy", "--out", str(out), "--resume", "--steps", "60", "--quiet"]) == 0
    assert "finished at step 60: value 2.5000" in capsys.readouterr().out
    assert len(list(csv.DictReader((out / "losses.csv").open()))) == 60


def test_a_new_familys_run_resumes_bit_for_bit(toy_registered, tmp_path):
    straight = toy_family.ToyRunner(toy_family.ToyConfig(lr=0.05))
    straight.run(30)
    half = toy_family.ToyRunner(toy_family.ToyConfig(lr=0.05))
    half.run(15)
    toy_family.save(half, tmp_path / "half")
    resumed = toy_family.restore(tmp_path / "half")
    resumed.run(15)
    assert resumed.step_count == 30
    assert torch.equal(resumed.model.value, straight.model.value)


def test_a_new_family_runs_live_in_the_background_job(toy_registered):
    job = toy_registered.start(toy_family.ToyConfig(steps=200), slots=DeviceSlots())
    try:
        deadline = time.monotonic() + 30
        while job.state == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.state == "finished", job.message
        assert job.snapshot["step"] == 200 and abs(job.snapshot["value"] - 3.0) < 1e-3
    finally:
        job.close()


def test_mid_run_checkpoints_come_every_checkpoint_every_steps_not_every_chunk(tmp_path):
    """A run of 100 steps in chunks of 5 with checkpoint_every 30 saves at 30, 60 and 90 only."""
    from ganlab.cli.loop import LoopHooks, train_in_chunks

    class Counter:
        step_count = 0

        def run(self, n):
            self.step_count += n
            return [type("S", (), {"as_dict": lambda self: {"step": 0}, "seconds": 0.0})() for _ in range(n)]

    trainer, saved = Counter(), []
    hooks = LoopHooks(
        columns=["step"],
        total=lambda: 100,
        save=lambda: saved.append(trainer.step_count),
        chunk_size=lambda _last: 5,
        postfix=lambda _s: {},
        checkpoint_every=30,
    )
    assert train_in_chunks(trainer, tmp_path, hooks, deadline=None, quiet=True) == "finished"
    assert saved == [30, 60, 90]
