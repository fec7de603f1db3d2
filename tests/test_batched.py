"""Many students' GANs in one batched step (issue #15): each run must be the run it would be alone.

Every comparison is ``torch.equal`` against the solo Trainer trained with the same
chunk sizes: weights, optimizer moments, random generator, step count and each
step's statistics (ganlab/families/gan/batched.py says why bit for bit holds).
"""

from __future__ import annotations

import pytest
import torch

from ganlab.errors import ConfigError
from ganlab.families.gan.batched import GanGroup, why_not_batchable
from ganlab.families.gan.config import OptimizerConfig
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.trainer import Trainer


def _cfg(seed: int, lr: float = 1e-3, small: bool = True, **changes):
    """The ring8 preset (lazy R1 every 8 steps, linear lr decay); ``small`` narrows it for speed."""
    changes = {"steps": 120, **changes}
    cfg = recommended_config("ring8").updated(seed=seed, device="cpu", g_lr=lr, d_lr=1.5 * lr, **changes)
    return cfg.updated(width=32, batch_size=64) if small else cfg


def _stats(stats) -> list[dict]:
    return [{k: v for k, v in s.as_dict().items() if k != "seconds"} for s in stats]


def assert_same_run(a: Trainer, b: Trainer) -> None:
    """Same weights, moments, step counts, random generator and history, bit for bit."""
    for net in ("G", "D"):
        for (k, x), y in zip(a.networks[net].state_dict().items(), b.networks[net].state_dict().values()):
            assert torch.equal(x, y), f"{net}.{k} differs"
    for key in ("g", "d"):
        sa, sb = a.optimizers[key].state_dict()["state"], b.optimizers[key].state_dict()["state"]
        assert sa.keys() == sb.keys()
        for i in sa:
            for k in sa[i]:
                assert torch.equal(torch.as_tensor(sa[i][k]), torch.as_tensor(sb[i][k])), f"opt {key} {i} {k}"
        assert a.optimizers[key].param_groups[0]["lr"] == b.optimizers[key].param_groups[0]["lr"]
    assert a.step_count == b.step_count
    assert torch.equal(a.generator.get_state(), b.generator.get_state())
    assert _stats(a.history) == _stats(b.history)


def test_runs_in_a_group_match_the_same_runs_alone_bit_for_bit():
    """Three students on the ring8 preset's shape (width 128, batch 256), different seeds and
    learning rates, 200 steps: past several lazy-R1 steps and into the linear decay."""
    runs = [(0, 1e-3), (1, 5e-4), (2, 2e-3)]
    alone = [Trainer(_cfg(s, lr, small=False, steps=200)) for s, lr in runs]
    group = GanGroup()
    ids = [group.join(Trainer(_cfg(s, lr, small=False, steps=200))) for s, lr in runs]
    for _ in range(8):
        for t in alone:
            t.run(25)
        group.run(25)
    for t, i in zip(alone, ids):
        assert_same_run(t, group.trainer(i))
    assert alone[0].history[-1].d_loss != alone[1].history[-1].d_loss  # no cross-talk: they differ


def test_sgd_runs_match_alone():
    sgd = dict(g_optim=OptimizerConfig("sgd", 1.0, 0.5), d_optim=OptimizerConfig("sgd", 1.0, 0.5))
    alone = [Trainer(_cfg(s, lr, **sgd)) for s, lr in ((3, 0.05), (4, 0.02))]
    group = GanGroup()
    ids = [group.join(Trainer(t.cfg)) for t in alone]
    for _ in range(3):
        for t in alone:
            t.run(10)
        group.run(10)
    for t, i in zip(alone, ids):
        assert_same_run(t, group.trainer(i))


def test_pausing_or_changing_one_runs_lr_changes_no_other_run():
    alone = {s: Trainer(_cfg(s)) for s in (0, 1, 2)}
    group = GanGroup()
    ids = {s: group.join(Trainer(_cfg(s))) for s in (0, 1, 2)}
    for chunk in range(4):
        if chunk == 1:
            group.pause(ids[1])
            frozen = group.trainer(ids[1]).generator.get_state()
            group.set_learning_rates(ids[2], g_lr=3e-4, d_lr=2e-4)
            alone[2].set_learning_rates(g_lr=3e-4, d_lr=2e-4)
        if chunk == 3:
            assert torch.equal(group.trainer(ids[1]).generator.get_state(), frozen)  # paused: RNG still
            group.resume(ids[1])
        for s, t in alone.items():
            if not (s == 1 and chunk in (1, 2)):
                t.run(10)
        out = group.run(10)
        assert (ids[1] in out) == (chunk not in (1, 2))
        assert group.state(ids[1]) == ("paused" if chunk in (1, 2) else "running")
    for s, t in alone.items():
        assert_same_run(t, group.trainer(ids[s]))


def test_a_nan_in_one_run_rolls_back_that_run_only():
    sgd = dict(g_optim=OptimizerConfig("sgd", 1.0, 0.5), d_optim=OptimizerConfig("sgd", 1.0, 0.5))
    alone = [Trainer(_cfg(0, 0.05, **sgd)), Trainer(_cfg(1, 6.0, **sgd)), Trainer(_cfg(2, 0.05, **sgd))]
    group = GanGroup()
    ids = [group.join(Trainer(t.cfg)) for t in alone]
    diverged_alone = None
    for _ in range(4):
        for t in alone:
            try:
                t.run(3)
            except Exception as exc:  # the absurd learning rate: TrainingDiverged
                diverged_alone = str(exc)
        group.run(3)
    assert diverged_alone is not None and "restored to step 3" in diverged_alone
    bad = group.trainer(ids[1])
    assert group.state(ids[1]) == "diverged" and bad.stopped_reason == diverged_alone
    assert all(torch.isfinite(p).all() for p in bad.D.parameters())
    assert group.active_ids == [ids[0], ids[2]]
    for t, i in zip(alone, ids):
        assert_same_run(t, group.trainer(i))


def test_join_and_leave_mid_run_then_continue_alone():
    """B trains alone first, joins A's group with its moments, A leaves and continues alone."""
    a_alone, b_alone = Trainer(_cfg(5)), Trainer(_cfg(6))
    a, b = Trainer(_cfg(5)), Trainer(_cfg(6))
    b_alone.run(7)
    b.run(7)
    group = GanGroup()
    ia = group.join(a)
    group.run(10)
    a_alone.run(10)
    ib = group.join(b)
    for _ in range(2):
        group.run(10)
        a_alone.run(10)
        b_alone.run(10)
    left = group.leave(ia)
    assert left is a and group.active_ids == [ib]
    left.run(10)  # the exported Trainer continues alone
    a_alone.run(10)
    group.run(10)
    b_alone.run(10)
    assert_same_run(a_alone, left)
    assert_same_run(b_alone, group.leave(ib))
    assert len(group) == 0


@pytest.mark.parametrize(
    "changes, field",
    [
        (dict(objective="wgan-gp"), "objective"),
        (dict(g_optim=OptimizerConfig("rmsprop", 1e-4, 0.5, 0.99)), "optimizer"),
        (dict(ema=0.999), "ema"),
        (dict(spectral_norm=True), "spectral_norm"),
        (dict(dataset="digits", model="dcgan"), "points"),
    ],
)
def test_configs_that_cannot_be_batched_are_refused_with_a_reason(changes, field):
    cfg = _cfg(0, **changes)
    reason = why_not_batchable(cfg)
    assert reason is not None and reason.startswith(f"{field}: ") and "own thread" in reason
    assert why_not_batchable(_cfg(0)) is None
    if field != "points":
        with pytest.raises(ConfigError, match=field):
            GanGroup().join(Trainer(cfg))


def test_a_run_of_another_shape_or_phase_cannot_join():
    group = GanGroup()
    group.join(Trainer(_cfg(0)))
    with pytest.raises(ConfigError, match="shape"):
        group.join(Trainer(_cfg(1, depth=2)))
    only_d = Trainer(_cfg(2))
    only_d.set_phase("d")
    with pytest.raises(ConfigError, match="phase"):
        group.join(only_d)
