"""notebooks/quickstart.ipynb runs top to bottom on the core alone (no Jupyter, no Gradio needed)
and shows what it says: a ring GAN covering its modes, an exact resume, pictures."""

import ast
import json
from pathlib import Path

import pytest
from PIL import Image

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "quickstart.ipynb"


def run_notebook(path: Path) -> tuple[dict, list]:
    """Execute the code cells in one namespace, as a kernel would; return it and each cell's last value."""
    namespace: dict = {"__name__": "__main__"}
    shown = []
    for cell in json.loads(path.read_text())["cells"]:
        if cell["cell_type"] != "code":
            continue
        tree = ast.parse("".join(cell["source"]), str(path))
        last = tree.body.pop() if tree.body and isinstance(tree.body[-1], ast.Expr) else None
        exec(compile(tree, str(path), "exec"), namespace)
        # a cell's last expression is what Jupyter displays
        shown.append(eval(compile(ast.Expression(last.value), str(path), "eval"), namespace) if last else None)
    return namespace, shown


@pytest.mark.slow  # 3,000 ring steps and three image models: half a minute or more
def test_the_quickstart_notebook_runs_and_shows_what_it_claims():
    ns, shown = run_notebook(NOTEBOOK)
    assert ns["coverage"].modes_captured >= 6  # 3,000 steps of the ring preset
    assert ns["original_next"] == ns["resumed_next"]  # resume is exact
    pictures = [v for v in shown if isinstance(v, Image.Image)]
    assert len(pictures) == 4  # ring view, digits grid, mnist grid, interpolation strip
    assert all(min(p.size) >= 64 for p in pictures)
