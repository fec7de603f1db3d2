"""The tools GAN Lab offers AI assistants over MCP (and scripts over the Gradio API).

``python app.py`` serves the Model Context Protocol at ``/gradio_api/mcp/`` (``GANLAB_MCP=0``
turns it off). Gradio makes every public endpoint a tool, named after its function, so the
tool list is curated here, in one place:

* the tabs' own endpoints that work without a browser: ``generate``, ``interpolate``,
  ``translate``, ``mix`` and ``restore_image``;
* the endpoints registered below: ``list_checkpoints`` and the run tools ``start_training``,
  ``training_status``, ``training_samples`` and ``stop_training``.

The Train, Race and CycleGAN endpoints (``/train``, ``/status``, ...) read the browser
session's ``gr.State``, which an MCP call never carries, so they stay API endpoints for
``gradio_client`` and are kept out of the tool list (:func:`keep_browser_endpoints_out`). The run
tools address runs by an explicit id instead (:mod:`ganlab.engine.runs_by_id`): isolated from
one another and from browser sessions, under the same per-device caps, and stopped after
``GANLAB_TOOL_RUN_TTL`` seconds without a call.
"""

from __future__ import annotations

import json
import os
import time
from typing import Any

import gradio as gr
import numpy as np

from ganlab.engine.runs_by_id import RUNS
from ganlab.errors import ConfigError
from ganlab.inference.catalog import list_checkpoints as catalog
from ganlab.ui import controls, restore_views, sessions
from ganlab.ui import views as render
from ganlab.ui.tabs.train_actions import status_api

TAB_TOOLS = ("generate", "interpolate", "translate", "mix", "restore")  # api_names of tab endpoints
RUN_TOOLS = ("list_checkpoints", "start_training", "training_status", "training_samples", "stop_training")
MCP_TOOLS = (*TAB_TOOLS, *RUN_TOOLS)
BROWSER_ONLY = "browser-session"  # the MCP type Gradio skips when it lists tools


def mcp_enabled() -> bool:
    """Whether ``python app.py`` serves MCP: on unless ``GANLAB_MCP`` is 0 (or false/no/off)."""
    raw = os.environ.get("GANLAB_MCP", "1").strip().lower()
    if raw in ("1", "true", "yes", "on", ""):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise ConfigError(f"GANLAB_MCP: must be 1 or 0; got {raw!r}")


@sessions.friendly
def list_checkpoints(kind: str = "") -> str:
    """List the models this server can open: the shipped ones and the saved runs.

    Args:
        kind: only this kind of checkpoint: "gan", "stylegan", "cyclegan" or "restore"; empty for all.

    Returns:
        A JSON list of {"name", "kind", "data", "shipped"}: the names are what the other tools take.
    """
    entries = catalog(kind.strip() or None)
    return _json([{"name": e.name, "kind": e.kind, "data": e.data_kind, "shipped": e.shipped} for e in entries])


@sessions.friendly
def start_training(
    dataset: str,
    model: str = "auto",
    steps: int | None = None,
    batch_size: int | None = None,
    learning_rate: float | None = None,
    objective: str | None = None,
    seed: int = 0,
    device: str = "auto",
) -> str:
    """Start training a GAN live and return its run id (every other run tool takes it).

    Args:
        dataset: what to learn: a 2D set ("ring8", "grid25", "moons", "spiral", ...), "digits" (8x8 digits,
            always here), or "mnist" / "fashion" where the server has them.
        model: "auto" (an MLP for 2D sets, a DCGAN for images), "mlp", "dcgan" or "stylegan".
        steps: training steps; leave empty for the data set's recommended preset.
        batch_size: samples per step; empty for the preset's.
        learning_rate: Adam learning rate of both G and D; empty for the preset's.
        objective: "nonsaturating", "minimax", "lsgan", "wgan", "wgan-gp" or "hinge"; empty for the preset's.
        seed: random seed (the same seed and settings train the same run).
        device: "auto", "cpu", "cuda:0", "mps", ...; the server's per-device caps apply.

    Returns:
        JSON {"run_id": ..., "status": ...}; the status is what training_status returns.
    """
    given = {
        "model": model or "auto",
        "steps": steps,
        "batch_size": batch_size,
        "objective": objective,
        "seed": seed,
        "g_lr": learning_rate,
        "d_lr": learning_rate,
    }
    cfg = controls.config_from_form(
        dataset=dataset, device=device or "auto", **{k: v for k, v in given.items() if v not in (None, "")}
    )
    job = controls.family_of(cfg).start(cfg)
    run_id = RUNS.add(job)
    return _json({"run_id": run_id, "status": _status(run_id, job)})


@sessions.friendly
def training_status(run_id: str) -> str:
    """The status of a run started with start_training, as JSON text.

    Args:
        run_id: the id start_training returned.

    Returns:
        JSON with state ("running", "finished", "stopped", ...), step, total_steps, steps_per_s, losses, health.
    """
    return _json(_status(run_id, RUNS.get(run_id)))


@sessions.friendly
def training_samples(run_id: str) -> np.ndarray:
    """The run's current samples as a PNG: the sample grid for images, GAN Lab's 2D view for points.

    Args:
        run_id: the id start_training returned.
    """
    snap = RUNS.get(run_id).snapshot
    picture = restore_views.main_image(snap) if restore_views.is_restore(snap) else render.main_image(snap)
    if picture is None:
        raise gr.Error("run_id: this run has no samples yet; ask again in a second", print_exception=False)
    return picture


@sessions.friendly
def stop_training(run_id: str) -> str:
    """Stop a run for good; its final status stays readable until the run is forgotten.

    Args:
        run_id: the id start_training returned.

    Returns:
        The run's status after stopping, as JSON text.
    """
    job = RUNS.get(run_id)
    job.stop()
    deadline = time.monotonic() + 5.0
    while getattr(job, "alive", False) and time.monotonic() < deadline:
        time.sleep(0.02)
    return _json(_status(run_id, job))


def _status(run_id: str, job: Any) -> dict:
    return {"run_id": run_id, **status_api(job)}


def _json(value: Any) -> str:
    """JSON text: MCP hands a tool's non-file output to the client as ``str(value)``, and a
    Python dict's repr is not JSON (True, None, single quotes)."""
    return json.dumps(value, default=_plain)


def _plain(value: Any) -> Any:
    """numpy scalars and arrays (in a status) as plain numbers and lists."""
    return value.tolist() if hasattr(value, "tolist") else str(value)


def register() -> None:
    """Add the run tools to the Blocks being built (call inside ``gr.Blocks``)."""
    for fn in (list_checkpoints, start_training, training_status, stop_training):
        gr.api(fn, api_name=fn.__name__, concurrency_limit=8)
    # an image comes back as a file the client can fetch, which needs an Image output component
    with gr.Group(visible=False):
        run_id, picture = gr.Textbox(label="run_id"), gr.Image(format="png", type="numpy")
        trigger = gr.Button()
    trigger.click(training_samples, run_id, picture, api_name="training_samples", concurrency_limit=8)


def keep_browser_endpoints_out(demo: gr.Blocks) -> list[str]:
    """Mark every public endpoint that is not in MCP_TOOLS so Gradio's MCP server does not list it;
    it stays in the API docs and callable by gradio_client. Returns the api_names it marked."""
    marked = []
    for block_fn in demo.fns.values():
        if block_fn.api_visibility != "public" or not block_fn.api_name or block_fn.api_name in MCP_TOOLS:
            continue
        block_fn.fn._mcp_type = BROWSER_ONLY
        marked.append(block_fn.api_name)
    return marked
