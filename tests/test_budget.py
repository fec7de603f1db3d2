"""The parameter budget counts every architecture by building it on the meta device."""

import pytest
from torch import nn

from ganlab.errors import CheckpointError
from ganlab.nn.budget import check_budget
from ganlab.nn.registry import known_architectures


@pytest.mark.parametrize("arch", sorted(known_architectures()))
def test_meta_count_is_the_real_count(arch):
    cls = known_architectures()[arch]
    assert check_budget(cls, {}) == sum(p.numel() for p in cls().parameters())


class Newcomer(nn.Module):
    """An architecture without any hand-written estimate: the cap applies all the same."""

    arch = "newcomer"

    def __init__(self, width: int = 8):
        super().__init__()
        self.args = dict(width=width)
        self.layer = nn.Linear(width, width)


def test_an_architecture_without_a_formula_is_still_capped(monkeypatch):
    monkeypatch.setenv("GANLAB_MAX_MODEL_PARAMS", "1000")
    assert check_budget(Newcomer, {"width": 8}) == 72
    with pytest.raises(CheckpointError, match="GANLAB_MAX_MODEL_PARAMS"):
        check_budget(Newcomer, {"width": 1000})
