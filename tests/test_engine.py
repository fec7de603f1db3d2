"""The shared engine on the CPU: bf16 autocast, channels_last with fused Adam across a resume,
and rollback for a family other than the GAN."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch

from cyclegan_fixtures import tiny_trainer
from ganlab.engine.history import History
from ganlab.errors import TrainingDiverged
from ganlab.families.cyclegan.state import restore_cyclegan, save_cyclegan
from ganlab.families.gan.config import TrainConfig
from ganlab.families.gan.trainer import Trainer


def test_bf16_autocast_runs_the_networks_in_bf16_on_the_cpu():
    trainer = Trainer(TrainConfig(dataset="digits", width=8, z_dim=8, batch_size=8, precision="bf16", device="cpu"))
    assert trainer.autocast_dtype == torch.bfloat16
    seen: list[torch.dtype] = []
    first_conv = next(m for m in trainer.D.modules() if isinstance(m, torch.nn.Conv2d))
    handle = first_conv.register_forward_hook(lambda _m, _i, out: seen.append(out.dtype))
    try:
        stats = trainer.run(3)
    finally:
        handle.remove()
    assert seen and set(seen) == {torch.bfloat16}  # D really ran under autocast
    assert all(torch.isfinite(torch.tensor([s.d_loss, s.g_loss])).all() for s in stats)
    assert all(p.dtype == torch.float32 for p in trainer.G.parameters())  # weights stay fp32


@pytest.mark.parametrize("native", [True, False])
def test_auto_precision_takes_bf16_for_images_only_on_a_cpu_with_bf16_in_hardware(native, monkeypatch):
    import ganlab.families.gan.trainer as gan_trainer

    monkeypatch.setattr(gan_trainer, "cpu_has_native_bf16", lambda: native)
    images = Trainer(TrainConfig(dataset="digits", width=8, z_dim=8, batch_size=8, device="cpu"))
    assert images.autocast_dtype == (torch.bfloat16 if native else None)
    assert images.channels_last  # NHWC on the CPU too
    points = Trainer(TrainConfig(dataset="ring8", batch_size=8, device="cpu"))
    assert points.autocast_dtype is None and not points.channels_last  # 2D MLPs: overhead-bound, fp32
    fp32 = Trainer(TrainConfig(dataset="digits", width=8, z_dim=8, batch_size=8, device="cpu", precision="fp32"))
    assert fp32.autocast_dtype is None


@pytest.mark.parametrize("native", [True, False])
def test_train_warns_that_bf16_is_emulated_on_a_cpu_without_it(native, monkeypatch, tmp_path, capsys):
    import ganlab.engine.devices as devices
    from ganlab.cli import main

    monkeypatch.setattr(devices, "cpu_has_native_bf16", lambda: native)
    tiny = ["--dataset", "digits", "--steps", "2", "--width", "8", "--z-dim", "8", "--batch-size", "8", "--quiet"]
    assert main(["train", *tiny, "--device", "cpu", "--precision", "bf16", "--out", str(tmp_path / "bf16")]) == 0
    warned = "bf16 is emulated" in capsys.readouterr().err
    assert warned == (not native)  # said on a CPU that only emulates bf16, and only there
    assert main(["train", *tiny, "--device", "cpu", "--out", str(tmp_path / "auto")]) == 0
    assert "bf16 is emulated" not in capsys.readouterr().err  # auto never picks what it would warn about
    assert devices.emulated_bf16_note("bf16", torch.device("meta")) is None  # the note is about the CPU alone


def test_channels_last_with_fused_adam_resumes_exactly_on_the_cpu(tmp_path):
    straight = tiny_trainer(tmp_path / "a", channels_last=True, pool_size=0)  # pools restart empty
    straight.set_total_steps(4)  # the same learning-rate schedule for both runs
    assert straight.channels_last
    assert all(group.get("fused") for opt in straight.optimizers.values() for group in opt.param_groups)
    conv = next(m for m in straight.G_AB.modules() if isinstance(m, torch.nn.Conv2d) and m.kernel_size == (3, 3))
    assert conv.weight.is_contiguous(memory_format=torch.channels_last)
    straight.run(4)
    half = tiny_trainer(tmp_path / "b", channels_last=True, pool_size=0)
    half.set_total_steps(4)
    half.run(2)
    save_cyclegan(half, tmp_path / "run")
    resumed = restore_cyclegan(tmp_path / "run", data=half.data)
    for opt in resumed.optimizers.values():  # moments take their parameter's layout back
        for param, state in opt.state.items():
            assert state["exp_avg"].stride() == param.stride()
    resumed.run(2)
    for name, net in straight.networks.items():
        for key, value in net.state_dict().items():
            assert torch.equal(value, resumed.networks[name].state_dict()[key]), (name, key)


def test_a_cyclegan_divergence_rolls_back_weights_and_moments(tmp_path, monkeypatch):
    trainer = tiny_trainer(tmp_path, steps=2)
    good = {k: v.clone() for k, v in trainer.G_AB.state_dict().items()}
    moments = {k: v.clone() for k, v in trainer.opt_g.state_dict()["state"][0].items() if torch.is_tensor(v)}
    monkeypatch.setattr(trainer, "train_step", lambda step: torch.full((6,), float("nan")))
    with pytest.raises(TrainingDiverged, match="step 3.*restored to step 2"):
        trainer.run(1)
    assert trainer.step_count == 2
    assert all(torch.equal(v, good[k]) for k, v in trainer.G_AB.state_dict().items())
    after = trainer.opt_g.state_dict()["state"][0]
    assert all(torch.equal(after[k], v) for k, v in moments.items())


def test_a_published_history_view_never_changes_as_the_run_grows():
    """Views read a snapshot's history from other threads while the run appends: a view taken
    earlier keeps its rows and length through the buffer's growth, and cannot be written to."""
    history = History(("step", "loss", "penalty"))
    history.extend([SimpleNamespace(step=i, loss=0.5 * i, penalty=None) for i in range(1, 4)])
    early = history.view()
    history.extend([SimpleNamespace(step=i, loss=-1.0, penalty=2.0) for i in range(4, 1001)])  # past 256 rows
    assert early.shape == (3, 3) and early[:, 0].tolist() == [1, 2, 3] and early[:, 1].tolist() == [0.5, 1.0, 1.5]
    assert np.isnan(early[:, 2]).all()  # a statistic the step did not make
    late = history.view()
    assert len(history) == 1000 and late[:, 0].tolist() == list(range(1, 1001)) and late[-1, 2] == 2.0
    with pytest.raises(ValueError):
        late[0, 0] = 7.0
