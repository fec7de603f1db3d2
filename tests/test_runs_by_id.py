"""Runs addressed by id (the MCP and API run tools): isolated, capped like any run, and
stopped and forgotten after their time to live without a call."""

from __future__ import annotations

import json

import pytest

from ganlab.engine.runs_by_id import RunsById
from ganlab.errors import GanLabError


class FakeJob:
    def __init__(self) -> None:
        self.closed = False

    def close(self) -> None:
        self.closed = True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_a_run_past_its_ttl_is_stopped_and_forgotten_and_a_touched_one_stays():
    clock = Clock()
    runs = RunsById(ttl_s=lambda: 100.0, clock=clock)
    idle, busy = FakeJob(), FakeJob()
    idle_id, busy_id = runs.add(idle), runs.add(busy)
    assert idle_id != busy_id and len(idle_id) == 32
    clock.now = 60.0
    runs.get(busy_id)  # asked about: its time to live starts again
    clock.now = 120.0
    assert runs.sweep() == [idle_id]
    assert idle.closed and not busy.closed
    with pytest.raises(GanLabError, match="no run"):
        runs.get(idle_id)
    assert runs.get(busy_id) is busy


def test_an_unknown_id_is_a_one_line_message():
    with pytest.raises(GanLabError, match=r"run_id: no run 'abc' here; start one with start_training"):
        RunsById().get("abc")


def test_run_tools_are_isolated_and_obey_the_device_cap(monkeypatch):
    pytest.importorskip("gradio")
    from ganlab.ui import tools

    monkeypatch.setenv("GANLAB_MAX_JOBS_CPU", "1")
    monkeypatch.setenv("GANLAB_BATCHED", "0")  # a 2D run then weighs a whole slot
    first = json.loads(tools.start_training("ring8", steps=200_000 // 2, seed=3, device="cpu"))
    try:
        with pytest.raises(Exception, match="cpu is busy"):
            tools.start_training("moons", seed=4, device="cpu")
        status = json.loads(tools.training_status(first["run_id"]))
        assert status["run_id"] == first["run_id"] and status["seed"] == 3
    finally:
        stopped = json.loads(tools.stop_training(first["run_id"]))
    assert stopped["state"] in ("stopped", "finished")
    second = json.loads(tools.start_training("moons", steps=300, seed=4, device="cpu"))  # the slot is free again
    tools.stop_training(second["run_id"])
    assert second["status"]["total_steps"] == 300
