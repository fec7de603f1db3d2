"""Slow motion takes one iteration apart without changing it (issue #14).

The sub-steps must come in GAN Lab's order with numbered captions, quote the
numbers the update really used, and leave the networks, optimizers and random
generator exactly where a normal step leaves them: bit for bit, since the
recorder only copies tensors the step computed.
"""

from __future__ import annotations

import copy

import pytest
import torch

from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.slowmo import record_iteration
from ganlab.families.gan.trainer import Trainer
from ganlab.families.gan import probes

D_ORDER = ["d.real", "d.fake", "d.scores", "d.loss", "d.update"]
G_ORDER = ["g.noise", "g.fake", "g.scores", "g.loss", "g.grad", "g.update"]


def _trainer(dataset: str, **changes) -> Trainer:
    cfg = recommended_config(dataset).updated(seed=3, device="cpu", steps=50, **changes)
    if dataset == "digits":
        cfg = cfg.updated(batch_size=16, width=16)
    trainer = Trainer(cfg)
    trainer.run(8)  # optimizer moments exist, and the next step (index 8) is a lazy-R1 step of ring8's preset
    return trainer


def _same_state(a: Trainer, b: Trainer) -> None:
    for name in a.networks:
        for (k, x), y in zip(a.networks[name].state_dict().items(), b.networks[name].state_dict().values()):
            assert torch.equal(x, y), f"{name}.{k} differs"
    for key in a.optimizers:
        sa, sb = a.optimizers[key].state_dict()["state"], b.optimizers[key].state_dict()["state"]
        for i in sa:
            for k in sa[i]:
                assert torch.equal(torch.as_tensor(sa[i][k]), torch.as_tensor(sb[i][k])), f"{key} {i} {k}"
    assert torch.equal(a.generator.get_state(), b.generator.get_state())


@pytest.mark.parametrize(
    "dataset,changes",
    [
        ("ring8", {}),  # the preset: lazy R1 on some steps
        ("ring8", {"objective": "wgan-gp", "d_steps": 2, "g_steps": 2}),  # GP draws random numbers
        ("digits", {}),  # a DCGAN with BatchNorm in both networks
    ],
)
def test_a_slow_step_updates_exactly_like_a_normal_step(dataset, changes):
    plain = _trainer(dataset, **changes)
    slow = copy.deepcopy(plain)
    normal_stats = plain.run(1)[0]
    extent = (
        probes.view_extent(slow.data.sample(512, torch.Generator().manual_seed(0))[0].cpu())
        if slow.data.kind == "points"
        else None
    )
    record, stats = record_iteration(slow, extent)
    _same_state(plain, slow)
    assert stats[0].d_loss == normal_stats.d_loss and stats[0].g_loss == normal_stats.g_loss
    assert record.step == plain.step_count == slow.step_count


def test_sub_steps_come_in_gan_labs_order_with_numbered_captions_and_the_used_numbers():
    trainer = _trainer("ring8")
    extent = probes.view_extent(trainer.data.sample(512, torch.Generator().manual_seed(0))[0].cpu())
    record, stats = record_iteration(trainer, extent)
    assert [s.stage for s in record.substeps] == D_ORDER + G_ORDER
    assert [s.number for s in record.substeps] == list(range(1, 12))
    for s in record.substeps:
        assert s.caption.startswith(f"{s.number}. {s.network} · ")
    by_stage = {s.stage: s for s in record.substeps}
    assert by_stage["d.loss"].values["loss"] == pytest.approx(stats[0].d_loss, rel=1e-6)
    assert f"{stats[0].d_loss:.4f}" in by_stage["d.loss"].caption
    assert f"{stats[0].g_loss:.4f}" in by_stage["g.loss"].caption
    assert by_stage["d.scores"].values["d_real"] == pytest.approx(stats[0].d_real, rel=1e-5)
    # D's surface is the same until D's update, and changes there; G's arrows exist from the gradient on
    before, after = by_stage["d.loss"].tensors["surface"], by_stage["d.update"].tensors["surface"]
    assert (by_stage["d.real"].tensors["surface"] == before).all()
    assert not (before == after).all()
    assert (by_stage["g.update"].tensors["surface"] == after).all()
    assert "grad" in by_stage["g.grad"].tensors and "grad" not in by_stage["g.loss"].tensors
    moved = by_stage["g.update"].tensors["fake_after"] - by_stage["g.update"].tensors["fake"]
    assert moved.abs().max() > 0


def test_train_only_one_network_leaves_the_other_untouched():
    trainer = _trainer("ring8")
    d_before = copy.deepcopy(trainer.D.state_dict())
    trainer.set_phase("g")
    stats = trainer.run(2)
    for k, v in trainer.D.state_dict().items():
        assert torch.equal(v, d_before[k])
    assert all(s.d_loss != s.d_loss for s in stats) and all(s.g_loss == s.g_loss for s in stats)  # NaN = not trained
    g_before = copy.deepcopy(trainer.G.state_dict())
    trainer.set_phase("d")
    record, _ = record_iteration(trainer, None)
    assert [s.stage for s in record.substeps] == D_ORDER
    for k, v in trainer.G.state_dict().items():
        assert torch.equal(v, g_before[k])


def test_a_1d_run_slows_down_too():
    from ganlab.families.gan.job import TrainingJob
    from ganlab.render.slowmo import slow_frames

    job = TrainingJob(recommended_config("bimodal1d").updated(device="cpu", steps=200, seed=0))
    try:
        record = job.slow_step()
        frames = slow_frames(record)
    finally:
        job.close()
    assert [s.stage for s in record.substeps] == D_ORDER + G_ORDER
    assert len(frames) == 11 and all(img.std() > 5 for img, _ in frames)
    stripes = record.substeps[0].tensors["surface"]
    assert (stripes == stripes[:1]).all()  # D(x) does not depend on the strip's height
