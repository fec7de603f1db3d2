"""A restoration model trained live in the Train tab, through the launched app like any script:
the live view is held-out (input | restored | target) rows with PSNR/SSIM against the baseline,
and a saved run is a restoration checkpoint the Restore tab and ``restore`` open."""

from __future__ import annotations

import json
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from conftest import require_module

gradio_client = require_module("gradio_client")
from gradio_client import handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from app_server import app_server, session  # noqa: E402,F401  (the fixture)

INPAINT = dict(dataset="digits", model="pix2pix", task="inpaint", batch_size=16, g_lr=5e-4, steps=100_000, seed=0)


@pytest.fixture
def client(app_server):  # noqa: F811
    with session(app_server.url, "/stop") as c:
        yield c


def _wait(c, predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while True:
        s = c.predict(api_name="/status")
        if predicate(s):
            return s
        assert time.monotonic() < deadline, f"timed out; last status {s}"
        time.sleep(0.2)


def test_pix2pix_inpainting_trains_live_and_beats_the_masked_input(client, app_server, monkeypatch, tmp_path):  # noqa: F811
    c = client
    c.predict(**INPAINT, api_name="/train")
    s = _wait(c, lambda s: s["step"] >= 5)
    assert s["family"] == "restore" and s["model"] == "pix2pix" and s["task"] == "inpaint"
    path, status = c.predict(api_name="/samples")
    rows = np.asarray(Image.open(path).convert("RGB"))
    assert rows.shape[1] > 3 * rows.shape[0] / 5  # three columns (input | restored | target) of rows
    trained = _wait(c, lambda s: s["step"] >= 300, timeout=120)
    held = trained["held_out"]
    assert held["val_psnr"] > held["baseline_psnr"] + 3  # filling the hole beats leaving it black
    assert trained["last"]["l1"] < status["last"]["l1"]
    c.predict(api_name="/stop")
    archive = c.predict("inpaint-run", api_name="/save")
    assert "model.json" in zipfile.ZipFile(archive).namelist()
    meta = json.loads((app_server.runs / "inpaint-run" / "model.json").read_text())
    assert meta["kind"] == "restore" and meta["task"] == "inpaint" and meta["step"] >= 300
    from ganlab.inference.catalog import list_checkpoints  # what the Restore tab lists

    monkeypatch.setenv("GANLAB_RUNS", str(app_server.runs))
    assert "runs/inpaint-run" in [e.name for e in list_checkpoints("restore")]
    digit = Image.fromarray((np.random.default_rng(0).random((16, 16)) * 255).astype(np.uint8), "L")
    hole = np.zeros((16, 16), np.uint8)
    hole[4:10, 5:11] = 255
    digit.save(tmp_path / "digit.png")
    Image.fromarray(hole, "L").save(tmp_path / "hole.png")
    out = c.predict(
        handle_file(str(tmp_path / "digit.png")),
        "runs/inpaint-run",
        handle_file(str(tmp_path / "hole.png")),
        0,
        api_name="/restore",
    )  # the Restore tab's endpoint opens the saved run
    filled = np.asarray(Image.open(out).convert("L"))
    before = np.asarray(digit)
    assert filled.shape == before.shape and np.array_equal(filled[hole == 0], before[hole == 0])


def test_restoration_models_refuse_points_and_mismatched_tasks_by_name(client):
    with pytest.raises(AppError, match="pix2pix restores images, and 'ring8' is 2D point data"):
        client.predict(**dict(INPAINT, dataset="ring8"), api_name="/train")
    with pytest.raises(AppError, match="model: srresnet does not do inpaint"):
        client.predict(**dict(INPAINT, model="srresnet"), api_name="/train")
    with pytest.raises(AppError, match="timelapse shows a generator"):
        client.predict(**dict(INPAINT, steps=20), api_name="/train")
        client.predict(api_name="/gif")


def test_photos_train_restoration_models_and_say_so_for_a_gan():
    from ganlab.errors import ConfigError
    from ganlab.ui import controls

    cfg = controls.config_from_form(dataset="summer2winter", device="cpu", model="srgan", steps=10)
    assert cfg.task == "sr4" and cfg.image_size == 96 and cfg.batch_size == 4  # the photos preset
    for model in ("auto", "dcgan", "stylegan"):
        with pytest.raises(ConfigError, match="summer2winter is a set of photos.*Train CycleGAN tab"):
            controls.config_from_form(dataset="summer2winter", device="cpu", model=model, steps=10)
