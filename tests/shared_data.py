"""Optional real data sets from ``$GANLAB_DATA``: tests that need them skip with a reason."""

import os
from pathlib import Path

import pytest


def shared_data_root(name: str) -> Path:
    """``$GANLAB_DATA`` if it holds ``name``; else skip the test with the reason."""
    root = os.environ.get("GANLAB_DATA")
    if not root:
        pytest.skip("GANLAB_DATA is not set: real data sets are not available here")
    if not (Path(root) / name).exists():
        pytest.skip(f"{name} is not under GANLAB_DATA={root}")
    return Path(root)
