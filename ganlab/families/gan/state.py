"""Save a Trainer to a checkpoint folder and bring it back exactly where it stopped."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import torch

from ganlab.engine.checkpoints import Checkpoint, load_checkpoint, load_into, module_spec, prefixed, save_checkpoint
from ganlab.families.gan.config import TrainConfig
from ganlab.data import DataSource
from ganlab.errors import CheckpointError, ConfigError
from ganlab.families.gan.trainer import Trainer


POINTS_FILE = "points.csv"  # a CSV/drawn run's own points, saved beside its weights


def _flatten_optimizer(prefix: str, opt: torch.optim.Optimizer) -> tuple[dict, dict]:
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


def _match_param_layout(opt: torch.optim.Optimizer) -> None:
    """Give each moment tensor its parameter's strides (channels_last on CUDA): fused
    optimizers refuse a contiguous moment beside a channels_last parameter."""
    for group in opt.param_groups:
        for param in group["params"]:
            for key, value in opt.state.get(param, {}).items():
                if torch.is_tensor(value) and value.shape == param.shape and value.stride() != param.stride():
                    opt.state[param][key] = torch.empty_like(param, dtype=value.dtype).copy_(value)


def restore_optimizers_and_rng(trainer: Any, ckpt: Checkpoint) -> None:
    """Load ``opt_g``/``opt_d`` moments and the random generator's state into a trainer
    (GAN or CycleGAN): what makes a resumed run continue exactly."""
    info = ckpt.meta.get("optimizers") or {}
    try:
        trainer.opt_g.load_state_dict(_unflatten_optimizer("opt_g", ckpt, info["g"]))
        trainer.opt_d.load_state_dict(_unflatten_optimizer("opt_d", ckpt, info["d"]))
        trainer.generator.set_state(ckpt.tensors["rng.generator"])
    except (KeyError, ValueError, RuntimeError, TypeError) as exc:
        raise CheckpointError(f"{ckpt.path.name}: optimizer or RNG state is damaged ({exc})") from None
    for opt in (trainer.opt_g, trainer.opt_d):
        _match_param_layout(opt)


def save_trainer(trainer: Trainer, folder: str | Path, metrics: dict | None = None,
                 inference_only: bool = False, extra: dict | None = None) -> Path:
    """Write ``model.safetensors`` + ``model.json``; ``inference_only`` keeps just the generator
    (EMA weights where used) for shipping."""
    tensors = prefixed("G_ema" if inference_only and trainer.G_ema is not None else "G",
                       trainer.inference_generator.state_dict() if inference_only else trainer.G.state_dict())
    meta: dict[str, Any] = {
        "kind": "gan", "name": Path(folder).name,
        "generator": module_spec(trainer.G), "discriminator": None if inference_only else module_spec(trainer.D),
        "ema": trainer.G_ema is not None, "config": trainer.cfg.to_dict(), "dataset": trainer.data.summary(),
        "objective": trainer.cfg.objective, "step": trainer.step_count,
        "device": str(trainer.device), "wall_time_s": round(trainer.wall_time_s, 2),
        "metrics": metrics or {}, "inference_only": inference_only, **(extra or {}),
    }
    if not inference_only:
        tensors.update(prefixed("D", trainer.D.state_dict()))
        if trainer.G_ema is not None:
            tensors.update(prefixed("G_ema", trainer.G_ema.state_dict()))
        g_t, g_info = _flatten_optimizer("opt_g", trainer.opt_g)
        d_t, d_info = _flatten_optimizer("opt_d", trainer.opt_d)
        tensors.update(g_t)
        tensors.update(d_t)
        tensors["rng.generator"] = trainer.generator.get_state()
        meta["optimizers"] = {"g": g_info, "d": d_info}
        if trainer.cfg.dataset.strip().lower().startswith("csv:"):
            meta["points_file"] = _keep_points(trainer, Path(folder))
    return save_checkpoint(folder, tensors, meta)


def _keep_points(trainer: Trainer, folder: Path) -> str:
    """A run on the user's own points keeps a copy of them beside the weights: an upload or a
    drawing lives in a temporary folder, and resuming needs the very same data."""
    from ganlab.engine.checkpoints import atomic_write_bytes

    rows = trainer.data.data.cpu().tolist()
    raw = ("x,y\n" + "".join(f"{x!r},{y!r}\n" for x, y in rows)).encode()
    path = folder / POINTS_FILE
    if not (path.is_file() and path.read_bytes() == raw):  # a run saves often; its data never change
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write_bytes(path, raw)
    return POINTS_FILE


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


def restore_trainer(spec: str | Path, device: str | None = None, data: DataSource | None = None,
                    **overrides: Any) -> Trainer:
    """A Trainer that continues a saved run exactly: weights, optimizer moments, RNG, step."""
    ckpt = load_checkpoint(spec)
    meta = ckpt.meta
    cfg = stored_training_config(ckpt, "gan", TrainConfig,
                                 "holds no training state (it is inference-only); it can be sampled but not resumed")
    if device is not None:
        overrides["device"] = device
    kept = ckpt.path / str(meta.get("points_file") or POINTS_FILE)
    if data is None and "dataset" not in overrides and meta.get("points_file") and kept.is_file():
        overrides["dataset"] = f"csv:{kept}"  # the copy saved with the run, wherever the original went
    cfg = cfg.updated(**overrides)
    trainer = Trainer(cfg, data)
    if module_spec(trainer.G) != meta.get("generator") or module_spec(trainer.D) != meta.get("discriminator"):
        raise CheckpointError(f"{ckpt.path.name}: the stored architecture does not match what its config "
                              "builds on this data set")
    load_into(trainer.G, ckpt.group("G"), "generator")
    load_into(trainer.D, ckpt.group("D"), "discriminator")
    if trainer.G_ema is not None:
        load_into(trainer.G_ema, ckpt.group("G_ema") or ckpt.group("G"), "EMA generator")
    restore_optimizers_and_rng(trainer, ckpt)
    trainer.step_count = int(meta.get("step", 0))
    trainer.wall_time_s = float(meta.get("wall_time_s", 0.0))
    trainer._last_good = trainer._capture()
    return trainer
