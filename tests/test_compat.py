"""Runs saved by the first release (before the engine was shared) still load and resume.

The two fixtures were written by the first release's own code: a ring-8 GAN run with EMA
(10 steps) and a tiny CycleGAN run (3 steps).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import torch

from cyclegan_fixtures import make_domains
from ganlab.cli import main
from ganlab.data.unpaired import load_unpaired
from ganlab.engine.checkpoints import load_checkpoint
from ganlab.families.cyclegan.state import restore_cyclegan
from ganlab.families.gan.state import restore_trainer

FIXTURES = Path(__file__).parent / "fixtures"


def _copy(name: str, tmp_path: Path) -> Path:
    return Path(shutil.copytree(FIXTURES / name, tmp_path / name))


def test_a_first_release_gan_run_resumes_where_it_stopped(tmp_path):
    run = _copy("first-release-ring", tmp_path)
    stored = load_checkpoint(run)
    trainer = restore_trainer(run)
    assert trainer.step_count == 10
    for name in ("G", "D", "G_ema"):
        for key, value in trainer.networks[name].state_dict().items():
            assert torch.equal(value, stored.group(name)[key]), (name, key)
    moments = trainer.opt_g.state_dict()["state"]
    assert moments and all(torch.isfinite(v["exp_avg"]).all() for v in moments.values())
    stats = trainer.run(5)
    assert [s.step for s in stats] == [11, 12, 13, 14, 15]
    assert torch.isfinite(torch.tensor([[s.d_loss, s.g_loss] for s in stats])).all()


def test_a_first_release_gan_run_resumes_from_the_cli(tmp_path, capsys):
    run = _copy("first-release-ring", tmp_path)
    assert main(["train", "--dataset", "ring8", "--out", str(run), "--resume", "--steps", "14", "--quiet"]) == 0
    assert "finished at step 14" in capsys.readouterr().out
    assert load_checkpoint(run).meta["step"] == 14


def test_a_first_release_cyclegan_run_resumes_with_its_history(tmp_path):
    run = _copy("first-release-cyclegan", tmp_path)
    a, b = make_domains(tmp_path / "photos")  # the run's photos lived in a temporary folder
    data = load_unpaired(f"unpaired:{a},{b}", None, 36, 32)
    trainer = restore_cyclegan(run, data=data)
    assert trainer.step_count == 3 and [s.step for s in trainer.history] == [1, 2, 3]
    stored = load_checkpoint(run)
    for name in ("G_AB", "G_BA", "D_A", "D_B"):
        for key, value in trainer.networks[name].state_dict().items():
            assert torch.equal(value, stored.group(name)[key]), (name, key)
    assert [s.step for s in trainer.run(2)] == [4, 5]
