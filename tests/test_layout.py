"""The core works without the UI: every module outside ganlab/ui imports without gradio."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_core_imports_no_gradio():
    modules = sorted(
        ".".join(p.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")
        for p in (ROOT / "ganlab").rglob("*.py")
        if "ui" not in p.relative_to(ROOT / "ganlab").parts and p.name != "__main__.py"
    )
    assert len(modules) > 40  # the whole core, not a handful
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module(name)\n"
        "print('gradio' in sys.modules, len(sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.split()[0] == "False", "a core module imported gradio"
