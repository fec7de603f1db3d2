"""Checkpoints: bit-identical round trip, exact resume, clear messages for what does not fit."""

import json

import numpy as np
import pytest
import torch

from ganlab.engine.checkpoints import load_checkpoint, load_generator
from ganlab.families.gan.config import TrainConfig
from ganlab.errors import CheckpointError
from ganlab.families.gan.trainer import Trainer
from ganlab.families.gan.state import restore_trainer, save_trainer

CFG = TrainConfig(dataset="digits", width=8, z_dim=8, batch_size=8, ema=0.9, objective="hinge", seed=5, device="cpu")


def test_save_then_load_is_bit_identical(tmp_path):
    trainer = Trainer(CFG)
    trainer.run(3)
    save_trainer(trainer, tmp_path / "run")
    ckpt = load_checkpoint(tmp_path / "run")
    for prefix, module in (("G", trainer.G), ("D", trainer.D), ("G_ema", trainer.G_ema)):
        saved = ckpt.group(prefix)
        for key, value in module.state_dict().items():
            assert torch.equal(saved[key], value), (prefix, key)
    meta = json.loads((tmp_path / "run" / "model.json").read_text())
    assert meta["step"] == 3 and meta["generator"]["arch"] == "dcgan-g"
    assert meta["config"]["objective"] == "hinge" and meta["dataset"]["name"] == "digits"
    assert "ganlab_version" in meta


def test_resume_continues_the_loss_curve_exactly(tmp_path):
    straight = [s.as_dict() for s in Trainer(CFG).run(6)]
    first = Trainer(CFG)
    first.run(3)
    save_trainer(first, tmp_path / "run")
    resumed = restore_trainer(tmp_path / "run")
    assert resumed.step_count == 3
    rest = [s.as_dict() for s in resumed.run(3)]
    for a, b in zip(straight[3:], rest):
        a.pop("seconds"), b.pop("seconds")
        assert a == b


def test_an_inference_save_ships_the_ema_generator_as_export_does(tmp_path):
    trainer = Trainer(CFG)
    trainer.run(2)
    save_trainer(trainer, tmp_path / "run", inference_only=True)
    g, ckpt = load_generator(tmp_path / "run")
    assert not ckpt.group("D")  # discriminator not shipped
    shipped = dict(g.named_parameters())
    for name, value in trainer.G_ema.named_parameters():  # the EMA weights, not the raw G's
        assert torch.equal(shipped[name], value), name
    has_batchnorm = any(isinstance(m, torch.nn.BatchNorm2d) for m in g.modules())
    assert ckpt.meta["batchnorm_recalibrated"] is has_batchnorm  # the one export path's rule
    with pytest.raises(CheckpointError, match="inference-only"):
        restore_trainer(tmp_path / "run")


def _saved_then_edited(folder, edit):
    """A saved run whose model.json is then changed by ``edit(generator_spec)``."""
    save_trainer(Trainer(CFG), folder)
    meta_path = folder / "model.json"
    meta = json.loads(meta_path.read_text())
    edit(meta["generator"])
    meta_path.write_text(json.dumps(meta))


def test_wrong_shapes_are_named(tmp_path):
    _saved_then_edited(tmp_path / "run", lambda g: g["args"].update(width=16))  # wider than the weights
    with pytest.raises(CheckpointError, match="shape mismatch"):
        load_generator(tmp_path / "run")


def test_unknown_architecture_and_missing_files(tmp_path):
    _saved_then_edited(tmp_path / "run", lambda g: g.update(arch="stylegan9"))
    with pytest.raises(CheckpointError, match="unknown architecture 'stylegan9'"):
        load_generator(tmp_path / "run")
    with pytest.raises(CheckpointError, match="not found"):
        load_checkpoint(tmp_path / "nowhere")


def test_truncated_weights_give_a_clear_message(tmp_path):
    trainer = Trainer(CFG)
    save_trainer(trainer, tmp_path / "run")
    weights = tmp_path / "run" / "model.safetensors"
    weights.write_bytes(weights.read_bytes()[:100])
    with pytest.raises(CheckpointError, match="truncated"):
        load_checkpoint(tmp_path / "run")


def test_a_save_leaves_no_temporary_files(tmp_path):
    trainer = Trainer(CFG)
    save_trainer(trainer, tmp_path / "run")
    save_trainer(trainer, tmp_path / "run")  # overwrite in place
    assert sorted(p.name for p in (tmp_path / "run").iterdir()) == ["model.json", "model.safetensors"]


@pytest.mark.skipif(not torch.cuda.is_available(), reason="no CUDA GPU on this machine")
def test_resume_on_cuda_with_channels_last_and_fused_adam(tmp_path):
    cfg = CFG.updated(device="cuda:0")
    first = Trainer(cfg)
    first.run(3)
    save_trainer(first, tmp_path / "run")
    resumed = restore_trainer(tmp_path / "run")
    stats = resumed.run(2)
    assert resumed.step_count == 5 and all(s.d_loss == s.d_loss for s in stats)


def test_a_foreign_model_json_is_named_not_a_checkpoint(tmp_path):
    (tmp_path / "model.json").write_text('{"format": "something-else"}')
    (tmp_path / "model.safetensors").write_bytes(b"")
    with pytest.raises(CheckpointError, match="not a GAN Lab checkpoint"):
        load_checkpoint(tmp_path)


def test_a_run_on_your_own_points_resumes_after_the_file_is_gone(tmp_path):
    rng = np.random.default_rng(0)
    csv = tmp_path / "drawing.csv"  # an upload or a drawing: it lives in a temporary folder
    points = rng.normal(size=(300, 2)) * [1.0, 0.1]
    csv.write_text("x,y\n" + "".join(f"{x},{y}\n" for x, y in points))
    trainer = Trainer(TrainConfig(dataset=f"csv:{csv}", width=16, batch_size=32, seed=1, device="cpu"))
    trainer.run(5)
    save_trainer(trainer, tmp_path / "run")
    csv.unlink()
    resumed = restore_trainer(tmp_path / "run")
    assert torch.equal(resumed.data.data, trainer.data.data)  # the very same points
    assert [s.d_loss for s in resumed.run(3)] == [s.d_loss for s in trainer.run(3)]


def test_a_weights_file_on_its_own_opens_from_its_embedded_model_card(tmp_path):
    trainer = Trainer(CFG)
    trainer.run(1)
    save_trainer(trainer, tmp_path / "run")
    alone = tmp_path / "downloads" / "digits-gan.safetensors"  # renamed, no model.json beside it
    alone.parent.mkdir()
    alone.write_bytes((tmp_path / "run" / "model.safetensors").read_bytes())
    g, ckpt = load_generator(alone)
    assert ckpt.meta["step"] == 1
    z = trainer.fixed_z[:2]
    assert torch.equal(g(z), load_generator(tmp_path / "run")[0](z))
