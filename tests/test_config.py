"""TrainConfig: every bad value names its field; JSON round-trips exactly."""

import math

import pytest

from ganlab.families.gan.config import OptimizerConfig, TrainConfig
from ganlab.errors import ConfigError

BAD = [
    ({"batch_size": 0}, "batch_size"),
    ({"steps": -5}, "steps"),
    ({"steps": 10**12}, "steps"),
    ({"objective": "magic"}, "objective"),
    ({"width": 0}, "width"),
    ({"depth": 9}, "depth"),
    ({"z_dim": 0}, "z_dim"),
    ({"noise": "pink"}, "noise"),
    ({"norm": "layer"}, "norm"),
    ({"d_steps": 0}, "d_steps"),
    ({"ema": 1.0}, "ema"),
    ({"image_size": 30}, "image_size"),
    ({"gp_weight": math.nan}, "gp_weight"),
    ({"precision": "fp8"}, "precision"),
    ({"r1_every": 0}, "r1_every"),
    ({"g_optim": OptimizerConfig(lr=1e9)}, "g_optim.lr"),
    ({"d_optim": OptimizerConfig(lr=math.nan)}, "d_optim.lr"),
    ({"d_optim": OptimizerConfig(name="lion")}, "d_optim.name"),
    ({"g_optim": OptimizerConfig(beta1=1.0)}, "g_optim.beta1"),
    ({"batch_size": True}, "batch_size"),
    ({"seed": 1.5}, "seed"),
]


@pytest.mark.parametrize("change,field", BAD, ids=[f for _, f in BAD])
def test_bad_value_names_its_field_and_range(change, field):
    with pytest.raises(ConfigError) as info:
        TrainConfig(**change).validate()
    message = str(info.value)
    assert message.startswith(field + ":")
    assert "must" in message


def test_json_round_trip_is_exact():
    cfg = TrainConfig(
        dataset="grid25",
        objective="wgan-gp",
        g_optim=OptimizerConfig("rmsprop", 5e-5, 0.0, 0.99),
        ema=0.999,
        conditional=True,
        seed=7,
    )
    again = TrainConfig.from_json(cfg.to_json())
    assert again == cfg
    assert isinstance(again.g_optim, OptimizerConfig)


def test_unknown_json_field_is_named():
    with pytest.raises(ConfigError, match="^colour: unknown config field"):
        TrainConfig.from_dict({"colour": "red"})


def test_updated_reaches_into_optimizers_without_mutating():
    cfg = TrainConfig()
    new = cfg.updated(g_lr=1e-3, steps=5)
    assert new.g_optim.lr == 1e-3 and new.steps == 5
    assert cfg.g_optim.lr == 2e-4


def test_unknown_device_is_refused_before_training():
    from ganlab.families.gan.trainer import Trainer

    with pytest.raises(ConfigError, match="cuda:7.*available"):
        Trainer(TrainConfig(device="cuda:7"))
