"""The conventions of a Python project (#16): pyproject.toml's metadata agrees with what the
Space installs (requirements.txt), and its console script is ``python -m ganlab``."""

from __future__ import annotations

import importlib
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[str]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def test_pyproject_lists_the_same_dependencies_as_requirements_txt():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["name"] == "ganlab"
    assert project["dependencies"] == _requirements()
    import ganlab

    assert project["version"] == ganlab.__version__


def test_the_ganlab_command_is_python_m_ganlab(capsys):
    target = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["scripts"]["ganlab"]
    module, name = target.split(":")
    entry = getattr(importlib.import_module(module), name)
    main_source = (ROOT / "ganlab" / "__main__.py").read_text()
    assert f"from {module} import {name}" in main_source  # the module entry calls the same function
    try:
        entry(["--help"])
    except SystemExit as exc:
        assert exc.code == 0
    assert "train" in capsys.readouterr().out


def test_usage_lines_name_the_command_the_user_typed():
    from ganlab.cli import program_name

    assert program_name("/venv/bin/ganlab") == "ganlab"
    assert program_name("/repo/ganlab/__main__.py") == "python -m ganlab"
