"""A classroom on one device (#15): live 2D runs share one batched step, and each is still its own run.

Runs are started through TrainingJob, as the app starts them; each must end exactly where the same
run trained alone ends (GanGroup is bit for bit), a divergence or a pause stays with its run, and a
batched run weighs a fraction of a device slot, so a class trains instead of being refused.
"""

from __future__ import annotations

import time

import pytest
import torch

from ganlab.engine.background import DeviceSlots
from ganlab.errors import GanLabError
from ganlab.families.gan.classroom import CLASSROOM_WEIGHT, classroom_for, slot_weight
from ganlab.families.gan.config import OptimizerConfig
from ganlab.families.gan.job import TrainingJob
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.trainer import Trainer

STEPS = 48


def _cfg(seed: int, **changes):
    return recommended_config("ring8").updated(seed=seed, device="cpu", steps=STEPS, width=32, batch_size=64, **changes)


def _wait(jobs, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while any(j.state in ("running", "ready") for j in jobs):
        assert time.monotonic() < deadline, [(j.state, j.trainer.step_count) for j in jobs]
        time.sleep(0.05)


def _same_weights(a: Trainer, b: Trainer) -> bool:
    return all(
        torch.equal(x, y)
        for name in ("G", "D")
        for x, y in zip(a.networks[name].state_dict().values(), b.networks[name].state_dict().values())
    )


def test_runs_started_together_share_rounds_and_each_ends_as_it_would_alone():
    classroom = classroom_for("cpu")
    rounds = classroom.rounds
    slots = DeviceSlots()
    jobs = [TrainingJob(_cfg(seed, g_lr=1e-3 * (1 + seed)), slots=slots) for seed in range(3)]
    assert all(j.slot_weight == CLASSROOM_WEIGHT for j in jobs)
    for j in jobs:
        j.start()
    _wait(jobs)
    try:
        assert [j.state for j in jobs] == ["finished"] * 3
        assert classroom.rounds > rounds  # they really trained together
        for j, seed in zip(jobs, range(3)):
            alone = Trainer(_cfg(seed, g_lr=1e-3 * (1 + seed)))
            alone.run(STEPS)
            assert _same_weights(j.trainer, alone), seed
            assert [s.d_loss for s in j.trainer.history] == [s.d_loss for s in alone.history]
    finally:
        for j in jobs:
            j.close()
    assert slots.in_use("cpu") == pytest.approx(0)


def test_a_diverging_or_paused_run_changes_no_other_run():
    hot = _cfg(1).updated(
        g_optim=OptimizerConfig("sgd", 5.0, 0.0, 0.999), d_optim=OptimizerConfig("sgd", 5.0, 0.0, 0.999), r1_weight=0.0
    )
    jobs = [
        TrainingJob(_cfg(0), slots=DeviceSlots()),
        TrainingJob(hot, slots=DeviceSlots()),
        TrainingJob(_cfg(2), slots=DeviceSlots()),
    ]
    for j in jobs:
        j.start()
    jobs[2].pause()
    try:
        _wait(jobs[:2])
        assert jobs[0].state == "finished" and jobs[1].state == "diverged" and "diverged" in jobs[1].message
        alone = Trainer(_cfg(0))
        alone.run(STEPS)
        assert _same_weights(jobs[0].trainer, alone)
        paused_at = jobs[2].trainer.step_count
        jobs[2].resume()
        _wait(jobs[2:])
        alone = Trainer(_cfg(2))
        alone.run(STEPS)
        assert paused_at < STEPS and _same_weights(jobs[2].trainer, alone)
    finally:
        for j in jobs:
            j.close()


def test_a_class_trains_in_whole_rounds_of_one_chunk_and_a_paused_run_is_not_waited_for():
    classroom = classroom_for("cpu")
    jobs = [TrainingJob(_cfg(seed).updated(steps=100_000), slots=DeviceSlots()) for seed in range(3)]
    rounds = classroom.rounds  # the classroom is the process's: earlier tests used it too
    try:
        for j in jobs:
            j.start()
        deadline = time.monotonic() + 60
        while classroom.rounds < rounds + 3 or classroom.chunk < 4 or classroom.last_round < 3:  # no cohorts
            assert time.monotonic() < deadline, (classroom.chunk, classroom.last_round)
            time.sleep(0.05)
        assert classroom.enrolled == 3 and all(j.chunk_size() == classroom.chunk for j in jobs)
        jobs[2].pause()
        while classroom.enrolled != 2:
            assert time.monotonic() < deadline, classroom.enrolled
            time.sleep(0.02)
        paused_at, others = jobs[2].trainer.step_count, [j.trainer.step_count for j in jobs[:2]]
        time.sleep(1.0)
        assert jobs[2].trainer.step_count == paused_at
        assert all(j.trainer.step_count > n for j, n in zip(jobs[:2], others))
        jobs[2].resume()
        while classroom.enrolled != 3:
            assert time.monotonic() < deadline, classroom.enrolled
            time.sleep(0.02)
    finally:
        for j in jobs:
            j.close()
    assert classroom.enrolled == 0
    assert classroom.chunk == 1  # the next class is paced from scratch, not with this one's chunk


def test_a_paused_run_steps_on_its_own_without_cutting_the_others_round(monkeypatch):
    from ganlab.families.gan.classroom import Classroom

    classroom, rounds = classroom_for("cpu"), []
    together = Classroom._together
    monkeypatch.setattr(
        Classroom,
        "_together",
        lambda self, reqs, n: (rounds.append([r.trainer for r in reqs]), together(self, reqs, n)),
    )
    jobs = [TrainingJob(_cfg(seed).updated(steps=100_000), slots=DeviceSlots()) for seed in range(3)]
    try:
        for j in jobs:
            j.start()
        jobs[2].pause()
        deadline = time.monotonic() + 60
        while classroom.enrolled != 2 or jobs[2].state != "paused":
            assert time.monotonic() < deadline, (classroom.enrolled, jobs[2].state)
            time.sleep(0.02)
        rounds.clear()  # the rounds before the pause had all three
        for _ in range(3):  # Step, Step, Step: each trains 2 steps of the paused run alone
            before = jobs[2].trainer.step_count
            jobs[2].step(2)
            while jobs[2].trainer.step_count < before + 2:
                assert time.monotonic() < deadline, jobs[2].trainer.step_count
                time.sleep(0.01)
        assert jobs[2].trainer.step_count == before + 2 and jobs[2].state == "paused"
        assert rounds and all(jobs[2].trainer not in r for r in rounds)
        assert all(j.state == "running" for j in jobs[:2])
    finally:
        for j in jobs:
            j.close()


def test_a_batched_run_alone_still_grows_its_chunk():
    classroom = classroom_for("cpu")
    job = TrainingJob(_cfg(0).updated(steps=100_000), slots=DeviceSlots())
    try:
        job.start()
        deadline = time.monotonic() + 60
        while classroom.chunk < 8:  # one step per round would make a lone student crawl
            assert time.monotonic() < deadline, classroom.chunk
            time.sleep(0.05)
        assert job.chunk_size() == classroom.chunk
    finally:
        job.close()


def test_snapshots_of_a_whole_class_stay_within_a_tenth_of_the_device():
    from ganlab.engine.background import publish_interval

    cost = 0.012  # one ring-8 snapshot on a CPU core
    assert publish_interval(0.4, cost, cost) == pytest.approx(0.4)  # one run alone: as often as the floor allows
    assert 0.05 / publish_interval(0.4, 0.05, 0.05) <= 0.03 + 1e-9  # a slow snapshot: ~3 % of its own time
    for n in (8, 24, 48):  # the class together: <= 10 % of one core, however busy the CPU makes each wall time
        assert n * cost / publish_interval(0.4, 3 * cost, cost, n) <= 0.1 + 1e-9


def test_a_batched_run_weighs_a_fraction_of_a_slot_and_a_full_device_says_what_to_do(monkeypatch):
    monkeypatch.setenv("GANLAB_MAX_JOBS_CPU", "1")
    assert slot_weight(_cfg(0)) == CLASSROOM_WEIGHT
    assert slot_weight(recommended_config("digits")) == 1.0  # images keep their own thread and slot
    monkeypatch.setenv("GANLAB_BATCHED", "0")
    assert slot_weight(_cfg(0)) == 1.0
    monkeypatch.delenv("GANLAB_BATCHED")
    slots = DeviceSlots()
    for _ in range(round(1 / CLASSROOM_WEIGHT)):  # a class of 16 fits where one image run would
        slots.acquire("cpu", CLASSROOM_WEIGHT)
    with pytest.raises(GanLabError, match="busy.*make run"):
        slots.check("cpu", CLASSROOM_WEIGHT)
