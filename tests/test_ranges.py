"""One source of truth: objective names, named data sets, numeric bounds (config and UI alike)."""

import pytest

from ganlab.data.named import DEFAULT_SET, is_unpaired, named_set
from ganlab.engine.config import field_range
from ganlab.errors import ConfigError
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.gan.config import OBJECTIVE_NAMES, OptimizerConfig, TrainConfig
from ganlab.nn.losses import OBJECTIVES
from ganlab.ui.numbers import as_whole, whole_number


def test_config_objective_names_are_the_registry():
    assert OBJECTIVE_NAMES == tuple(OBJECTIVES)


@pytest.mark.parametrize("cls", [TrainConfig, CycleGANConfig, OptimizerConfig])
def test_every_declared_range_is_what_validate_enforces(cls):
    for name, bounds in cls.RANGES.items():
        if cls is CycleGANConfig and name == "load_size":
            continue  # its lower bound is the crop size; checked below
        low, high = field_range(cls, name)
        ok = cls()
        for edge in (low, high):
            if (edge == low and bounds.low_open) or (edge == high and bounds.high_open):
                continue
            setattr(ok, name, edge)
            _validate(ok)
        step = 1 if bounds.whole else 1e-3
        for outside in (low - step, high + step):
            bad = cls()
            setattr(bad, name, outside)
            with pytest.raises(ConfigError, match=rf"^(opt\.)?{name}: must be in"):
                _validate(bad)


def _validate(cfg):
    return cfg.validate("opt") if isinstance(cfg, OptimizerConfig) else cfg.validate()


def test_error_messages_are_unchanged():
    with pytest.raises(ConfigError, match=r"^width: must be in \[4, 512\]; got 0$"):
        TrainConfig(width=0).validate()
    with pytest.raises(ConfigError, match=r"^g_optim.lr: must be in \(0, 10\]; got 0$"):
        TrainConfig(g_optim=OptimizerConfig(lr=0.0)).validate()
    with pytest.raises(ConfigError, match=r"^width: MLP width must be in \[4, 256\], got 300$"):
        TrainConfig(model="mlp", width=300).validate()
    with pytest.raises(ConfigError, match=r"^load_size: must be in \[64, 2048\]; got 32$"):
        CycleGANConfig(image_size=64, load_size=32).validate()


def test_cyclegan_tab_offers_what_the_config_allows():
    pytest.importorskip("gradio")
    from ganlab.ui.tabs import cyclegan

    assert field_range(CycleGANConfig, "ngf") == (4, 256)  # the tab used to stop at 128
    assert cyclegan._field("ngf", "ngf", 256) == 256
    with pytest.raises(ConfigError, match="^ngf: must be between 4 and 256; got 257$"):
        cyclegan._field("ngf", "ngf", 257)
    with pytest.raises(ConfigError, match="^image size: must be between 32 and 1024; got 16$"):
        cyclegan._field("image size", "image_size", 16)


def test_form_numbers():
    assert as_whole(2**63 - 1) == 2**63 - 1 and as_whole(str(2**63 - 1)) == 2**63 - 1
    assert as_whole(8.0) == 8 and as_whole("8") == 8 and as_whole(8.5) is None and as_whole(None) is None
    with pytest.raises(ConfigError, match="^seed: must be a whole number; got 'x'$"):
        whole_number("seed", "x")


def test_named_unpaired_sets_live_in_one_place():
    assert CycleGANConfig().dataset == DEFAULT_SET
    assert named_set(" Summer2Winter ").folder == "summer2winter_yosemite"
    assert is_unpaired("summer2winter_yosemite") and is_unpaired("unpaired:a,b") and not is_unpaired("ring8")
