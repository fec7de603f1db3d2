"""A runner's resumable state in a checkpoint: every network, optimizer moments, the RNG.

Tensors are named ``<network>.<param>`` (``G.net.0.weight``, ``G_AB.model.1.bias``),
``opt_<key>.<index>.<moment>`` and ``rng.generator``; optimizer hyper-parameters
go to ``model.json`` under ``optimizers.<key>``. No pickle anywhere. The
family adds what only it knows (its config, architecture specs, history) to
the metadata; loading them back is :func:`restore_runner`.
"""

from __future__ import annotations

from typing import Any, Mapping

import torch

from ganlab.engine.checkpoints import Checkpoint, load_into, prefixed
from ganlab.engine.runner import StepRunner
from ganlab.errors import CheckpointError, ConfigError


def flatten_optimizer(prefix: str, opt: torch.optim.Optimizer) -> tuple[dict, dict]:
    """Optimizer state -> (tensors, JSON): moments as tensors, hyper-parameters as JSON."""
    state = opt.state_dict()
    tensors, scalars = {}, {}
    for index, entry in state["state"].items():
        for name, value in entry.items():
            if torch.is_tensor(value):
                tensors[f"{prefix}.{index}.{name}"] = value
            else:
                scalars[f"{index}.{name}"] = value
    return tensors, {"param_groups": state["param_groups"], "scalars": scalars}


def _unflatten_optimizer(prefix: str, ckpt: Checkpoint, info: dict) -> dict:
    state: dict[int, dict[str, Any]] = {}
    for key, value in ckpt.group(prefix).items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    for key, value in info.get("scalars", {}).items():
        index, name = key.split(".", 1)
        state.setdefault(int(index), {})[name] = value
    return {"state": state, "param_groups": info["param_groups"]}


def optimizer_state(ckpt: Checkpoint, key: str) -> dict:
    """Optimizer ``key``'s stored state as torch's ``state_dict`` (moments and hyper-parameters)."""
    return _unflatten_optimizer(f"opt_{key}", ckpt, (ckpt.meta.get("optimizers") or {})[key])


def _match_param_layout(opt: torch.optim.Optimizer) -> None:
    """Give each moment tensor its parameter's strides (channels_last): fused optimizers
    refuse a contiguous moment beside a channels_last parameter."""
    for group in opt.param_groups:
        for param in group["params"]:
            for key, value in opt.state.get(param, {}).items():
                if torch.is_tensor(value) and value.shape == param.shape and value.stride() != param.stride():
                    opt.state[param][key] = torch.empty_like(param, dtype=value.dtype).copy_(value)


def runner_state(runner: StepRunner) -> tuple[dict[str, torch.Tensor], dict[str, Any]]:
    """(tensors, metadata) that let :func:`restore_runner` continue ``runner`` exactly."""
    tensors: dict[str, torch.Tensor] = {}
    for name, net in runner.networks.items():
        tensors.update(prefixed(name, net.state_dict()))
    infos = {}
    for key, opt in runner.optimizers.items():
        moments, infos[key] = flatten_optimizer(f"opt_{key}", opt)
        tensors.update(moments)
    tensors["rng.generator"] = runner.generator.get_state()
    meta = {
        "step": runner.step_count,
        "device": str(runner.device),
        "wall_time_s": round(runner.wall_time_s, 2),
        "optimizers": infos,
    }
    if runner.world is not None:  # a torchrun run: how many processes, over which backend
        meta.update(runner.world.describe())
    return tensors, meta


def restore_runner(
    runner: StepRunner,
    ckpt: Checkpoint,
    labels: Mapping[str, str] | None = None,
    fallbacks: Mapping[str, str] | None = None,
) -> StepRunner:
    """Load a checkpoint's networks, optimizer moments, RNG, step and wall time into ``runner``.

    ``labels`` name networks in errors ("generator"); ``fallbacks`` say which stored network
    stands in for one a checkpoint lacks (older runs saved no ``G_ema``: it starts as ``G``).
    """
    labels, fallbacks = labels or {}, fallbacks or {}
    for name, net in runner.networks.items():
        stored = ckpt.group(name) or (ckpt.group(fallbacks[name]) if name in fallbacks else {})
        load_into(net, stored, labels.get(name, name))
    info = ckpt.meta.get("optimizers") or {}
    try:
        for key, opt in runner.optimizers.items():
            opt.load_state_dict(_unflatten_optimizer(f"opt_{key}", ckpt, info[key]))
        runner.generator.set_state(ckpt.tensors["rng.generator"])
    except (KeyError, ValueError, RuntimeError, TypeError) as exc:
        raise CheckpointError(f"{ckpt.path.name}: optimizer or RNG state is damaged ({exc})") from None
    for opt in runner.optimizers.values():
        _match_param_layout(opt)
    runner.step_count = int(ckpt.meta.get("step", 0))
    runner.wall_time_s = float(ckpt.meta.get("wall_time_s", 0.0))
    runner.mark_good()
    return runner


def stored_training_config(ckpt: Checkpoint, kind: str, config_type: Any, refusal: str) -> Any:
    """The run config a resumable checkpoint of ``kind`` stores; CheckpointError (``refusal``
    after the file name) when it is another kind or inference-only, or its config is invalid."""
    meta = ckpt.meta
    if meta.get("kind") != kind or meta.get("inference_only"):
        raise CheckpointError(f"{ckpt.path.name} {refusal}")
    try:
        return config_type.from_dict(meta["config"])
    except (KeyError, TypeError, ConfigError) as exc:
        raise CheckpointError(f"{ckpt.path.name}: stored config is invalid ({exc})") from None
