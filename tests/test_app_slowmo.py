"""Slow motion, per-iteration settings and the new status keys through the launched app (#14)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from PIL import Image

from conftest import require_module

gradio_client = require_module("gradio_client")
from gradio_client.exceptions import AppError  # noqa: E402

from app_server import app_server, train_client, wait_status  # noqa: E402,F401  (the fixtures)

RING = dict(dataset="ring8", width=32, depth=2, z_dim=2, batch_size=64, g_lr=1e-3, d_lr=1e-3, steps=100_000, seed=0)


_wait = wait_status


def _gallery(c) -> list[tuple[np.ndarray, str]]:
    frames = c.predict(api_name="/slow_step")
    return [(np.asarray(Image.open(f["image"]).convert("RGB")), f["caption"]) for f in frames]


def test_slow_step_returns_numbered_sub_steps_in_order_and_leaves_the_run_paused(train_client):  # noqa: F811
    c = train_client
    with pytest.raises(AppError, match="press Train first"):
        c.predict(api_name="/slow_step")
    c.predict(**RING, api_name="/train")
    running = _wait(c, lambda s: s["state"] == "running" and s["step"] >= 20)
    assert running["kl_grid"] is not None and running["js_grid"] is not None and running["g_steps"] == 1
    frames = _gallery(c)
    captions = [cap for _, cap in frames]
    numbers = [int(re.match(r"(\d+)\. ", cap).group(1)) for cap in captions]
    assert numbers == list(range(1, len(frames) + 1))
    d_part = [cap for cap in captions if cap.split(". ", 1)[1].startswith("D ·")]
    g_part = [cap for cap in captions if cap.split(". ", 1)[1].startswith("G ·")]
    assert len(d_part) >= 5 and len(g_part) >= 5 and captions == d_part + g_part  # all of D's, then G's
    assert all(img.std() > 5 for img, _ in frames)  # something is drawn in each
    paused = c.predict(api_name="/status")
    assert paused["state"] == "paused"
    loss_caption = next(cap for cap in d_part if "D's loss" in cap)
    assert f"{paused['last']['d_loss']:.4f}" in loss_caption  # the loss shown is the loss the update used
    again = _gallery(c)  # from a paused run too
    assert len(again) == len(frames)
    assert c.predict(api_name="/status")["step"] == paused["step"] + 1


def test_only_d_steps_and_g_steps_apply_to_a_live_run(train_client):  # noqa: F811
    c = train_client
    c.predict(**RING, api_name="/train")
    _wait(c, lambda s: s["step"] >= 5)
    c.predict(api_name="/pause")
    before = c.predict(api_name="/status")
    c.predict(g_lr=1e-3, d_lr=1e-3, objective="nonsaturating", d_steps=2, g_steps=3, phase="d", api_name="/step")
    after = _wait(c, lambda s: s["step"] > before["step"])
    assert (after["d_steps"], after["g_steps"], after["phase"]) == (2, 3, "d")
    assert after["last"]["g_loss"] is None and after["last"]["d_loss"] is not None  # G did not train
    frames = _gallery(c)
    assert all(cap.split(". ", 1)[1].startswith("D · ") for _, cap in frames)
    assert len(frames) == 2 * 5  # two D updates, five sub-steps each, no G half
    with pytest.raises(AppError, match="phase"):
        c.predict(g_lr=1e-3, d_lr=1e-3, objective="nonsaturating", d_steps=1, g_steps=1, phase="x", api_name="/step")


def test_overview_is_an_image_of_this_sessions_run(train_client):  # noqa: F811
    c = train_client
    with pytest.raises(AppError, match="press Train first"):
        c.predict(api_name="/overview")
    c.predict(**RING, api_name="/train")
    _wait(c, lambda s: s["step"] >= 10)
    image = np.asarray(Image.open(c.predict(api_name="/overview")).convert("RGB"))
    assert image.shape[1] > image.shape[0] > 300 and image.std() > 20
    from ganlab.render.points import FAKE, REAL

    for colour in (FAKE, REAL):  # the fake and real thumbnails are drawn
        assert (np.abs(image.astype(int) - colour).max(axis=-1) <= 6).any()
