"""Shared test settings: saved runs go to a temp folder; real data sets are optional."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_runs(tmp_path_factory, monkeypatch):
    """Never write into the user's ./runs from a test."""
    monkeypatch.setenv("GANLAB_RUNS", str(tmp_path_factory.getbasetemp() / "runs"))


@pytest.fixture(scope="session", autouse=True)
def _few_threads():
    torch.set_num_threads(1)  # tiny models: one thread avoids spinning on a busy CPU
