"""Shared test settings: saved runs go to a temp folder; real data sets are optional;
``require`` skips here what CI must have."""

from __future__ import annotations

import importlib
import os
from pathlib import Path

import pytest
import torch

# Every process a test starts (the app servers, the CLI) trains on one thread too: the suite runs one
# pytest worker per core, and a child on two threads beside a busy core waits at every barrier (the
# quickstart notebook with 2 threads next to another worker took 248 s; with one, 75 s).
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_runs(tmp_path_factory, monkeypatch):
    """Never write into the user's ./runs from a test."""
    monkeypatch.setenv("GANLAB_RUNS", str(tmp_path_factory.getbasetemp() / "runs"))


@pytest.fixture(scope="session", autouse=True)
def _few_threads():
    torch.set_num_threads(1)  # tiny models: one thread avoids spinning on a busy CPU


IN_CI = os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def require(ok: object, reason: str) -> None:
    """Skip when something the test needs is missing here; fail in CI (CI=true), where a skip
    would let a missing Chromium, gradio or pretrained/ pass the suite without testing anything."""
    if ok:
        return
    if IN_CI:
        pytest.fail(f"required in CI: {reason}", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_module(name: str):
    """``pytest.importorskip`` that fails instead of skipping in CI."""
    try:
        return importlib.import_module(name)
    except ImportError as exc:
        require(False, f"{name} is not installed ({exc})")


# The longest files, longest first (per-file sums of `--durations=0` in a full two-worker run on a
# 2-core VM, seconds in brackets): they start before the rest, so pytest-xdist's workers (a file each,
# `make test`, which passes --no-loadscope-reorder so this order is the one used) finish together
# instead of one of them starting a long file last and running alone for minutes.
LONGEST_FILES = (
    "test_lessons.py",  # 217
    "test_lessons_stylegan.py",  # 203
    "test_browser.py",  # 175
    "test_ddp.py",  # 123
    "test_browser_classroom.py",  # 119
    "test_cli.py",  # 115
    "test_app_train.py",  # 112
    "test_app_robust.py",  # 92
    "test_notebook.py",  # 75
    "test_translation_eval.py",  # 71
    "test_app_train_restore.py",  # 65
    "test_app_slowmo.py",  # 52
    "test_app_uploads.py",  # 47
    "test_mcp.py",  # 44
    "test_browser_uploads.py",  # 42
    "test_app_cyclegan.py",  # 38
    "test_startup.py",  # 34
    "test_browser_restore.py",  # 28
)


def pytest_collection_modifyitems(items):
    def rank(item) -> int:
        name = item.path.name
        return LONGEST_FILES.index(name) if name in LONGEST_FILES else len(LONGEST_FILES)

    items.sort(key=rank)  # stable: the order within a file, and of the other files, is kept
