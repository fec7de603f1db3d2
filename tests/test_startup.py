"""Start-up stays light: the heavy optional imports happen when a feature needs them, not when
the app or a CLI command starts (``benchmarks/startup.py`` has the seconds: torchvision and
torch._dynamo cost about 3 s, scikit-learn 3 s, torchmetrics 1.7 s on a 2-core CPU)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from conftest import ROOT

HEAVY = ("torchvision", "torch._dynamo", "torchmetrics", "sklearn")


def _imported_after(code: str) -> dict[str, bool]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps({{m: m in sys.modules for m in {HEAVY!r}}}))"
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, check=True, capture_output=True, text=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_the_cli_and_the_family_registry_start_without_the_heavy_imports():
    code = "import contextlib, io, ganlab.families\nfrom ganlab.cli import main\n"
    code += "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n    main(['--help'])"
    loaded = _imported_after(code)
    assert not any(loaded.values()), f"imported at start: {[m for m, yes in loaded.items() if yes]}"


@pytest.mark.slow
def test_building_the_app_with_its_first_pictures_needs_none_of_them():
    pytest.importorskip("gradio")
    # the Explore, Mix and Style tabs load shipped generators and draw their first pictures here
    loaded = _imported_after("from ganlab.ui.app import build_app\nbuild_app()")
    assert not any(loaded.values()), f"imported while building the app: {[m for m, yes in loaded.items() if yes]}"
