"""A classroom on one server: sessions that cannot see each other, caps that say what they are,
and bad files answered with one clear line while the server stays up and nothing saved is lost.

The app runs as ``python app.py`` (see app_server.py); clients are gradio_client sessions,
exactly as a script or a browser tab would be.
"""

from __future__ import annotations

import hashlib
import pickle
import time
import zipfile

import numpy as np
import pytest
from PIL import Image

from conftest import require_module

gradio_client = require_module("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from app_server import serve_app  # noqa: E402
from ganlab.errors import ConfigError, GanLabError  # noqa: E402
from ganlab.families.gan.presets import recommended_config  # noqa: E402
from ganlab.families import FAMILIES  # noqa: E402

start_job = FAMILIES["gan"].start  # the registry is how the app starts a run
from ganlab.engine.background import DeviceSlots  # noqa: E402
from ganlab.ui import sessions  # noqa: E402

SMALL = dict(width=32, depth=2, z_dim=2, batch_size=64, g_lr=1e-3, d_lr=1e-3, steps=100_000, device="cpu")
CONFIGS = [
    dict(SMALL, dataset="ring8", objective="nonsaturating", seed=11),
    dict(SMALL, dataset="grid25", objective="lsgan", seed=12),
    dict(SMALL, dataset="spiral", objective="hinge", seed=13),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    workdir = tmp_path_factory.mktemp("robust")
    with serve_app(workdir, GANLAB_MAX_JOBS_CPU="4", GANLAB_MAX_MODEL_PARAMS="1000000", OMP_NUM_THREADS="1") as url:
        yield url, workdir / "runs"


@pytest.fixture(scope="module")
def saved(server):
    """A run saved to runs/ on purpose (shared), its zip, and a hash of its weights."""
    url, runs = server
    c = Client(url, verbose=False)
    try:
        c.predict(**dict(CONFIGS[0], steps=40), api_name="/train")
        _wait(c, lambda s: s["state"] == "finished")
        archive = c.predict("keep-me", api_name="/save")
    finally:
        c.close()
    weights = runs / "keep-me" / "model.safetensors"
    return archive, weights, hashlib.sha256(weights.read_bytes()).hexdigest()


def _wait(c, predicate, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not predicate(s := c.predict(api_name="/status")):
        assert time.monotonic() < deadline, f"timed out; last status {s}"
        time.sleep(0.2)
    return s


def _own(status: dict, cfg: dict) -> bool:
    return (status["dataset"], status["objective"], status["seed"]) == (cfg["dataset"], cfg["objective"], cfg["seed"])


def _picture(path: str) -> np.ndarray:
    """The image a /generate call returned: a real view of samples, not an empty canvas."""
    image = np.asarray(Image.open(path).convert("RGB"), dtype=np.int16)
    assert min(image.shape[:2]) >= 128, image.shape
    colours, counts = np.unique(image.reshape(-1, 3), axis=0, return_counts=True)
    background = colours[counts.argmax()]
    drawn = (image != background).any(axis=-1).mean()
    assert len(colours) >= 3 and drawn > 0.01, f"a blank picture ({len(colours)} colours, {drawn:.1%} drawn)"
    return image


def _one_line_error(call, *needles: str) -> str:
    """Run ``call``; it must fail with one clear line (no traceback) containing every needle."""
    with pytest.raises(AppError) as info:
        call()
    message = str(info.value)
    assert "Traceback" not in message and "\n" not in message.strip(), message
    for needle in needles:
        assert needle.lower() in message.lower(), message
    return message


def test_concurrent_sessions_see_and_stop_only_their_own_run(server, saved):
    url, _ = server
    clients = [Client(url, verbose=False) for _ in CONFIGS]
    stranger = Client(url, verbose=False)
    try:
        for c, cfg in zip(clients, CONFIGS):
            c.predict(**cfg, api_name="/train")
        for _ in range(3):  # several rounds of polls, interleaved
            for c, cfg in zip(clients, CONFIGS):
                s = c.predict(api_name="/status")
                assert _own(s, cfg), (cfg, s)
                assert s["state"] == "running"
        assert stranger.predict(api_name="/status")["state"] == "none"  # sees no one's run
        _one_line_error(lambda: stranger.predict(api_name="/stop"), "Train first")  # and stops none

        clients[0].predict(api_name="/stop")
        assert clients[0].predict(api_name="/status")["state"] == "stopped"
        for c, cfg in zip(clients[1:], CONFIGS[1:]):  # the others train on
            before = c.predict(api_name="/status")["step"]
            s = _wait(c, lambda s: s["step"] > before, timeout=30)
            assert s["state"] == "running" and _own(s, cfg)

        # an uploaded checkpoint belongs to the session that uploaded it
        archive, _, _ = saved
        update = clients[1].predict([handle_file(archive)], api_name="/explore_upload")  # the dropdown's update
        name = update["value"]
        assert name.startswith("upload/") and [name, name] in update["choices"]
        uploaded = _picture(clients[1].predict(name, 1, 1.0, None, api_name="/generate"))
        _one_line_error(lambda: clients[2].predict(name, 1, 1.0, None, api_name="/generate"), "unknown checkpoint")
        # a run saved to runs/ on purpose is shared; the upload is its zip, so the same seed draws the same
        shared = _picture(clients[2].predict("runs/keep-me", 1, 1.0, None, api_name="/generate"))
        assert np.array_equal(uploaded, shared)
        assert not np.array_equal(
            shared, _picture(clients[2].predict("runs/keep-me", 2, 1.0, None, api_name="/generate"))
        )  # seed matters
    finally:
        for c in clients + [stranger]:
            try:
                c.predict(api_name="/stop")
            except AppError:
                pass
            c.close()


def test_a_class_in_one_batched_group_sees_only_its_own_runs(server):
    """Six students with one shape of run (so the classroom trains them in one batched step):
    each status shows its own seed and data, each run moves, and one student's pause stops
    nobody else."""
    url, _ = server
    class_configs = [
        dict(SMALL, dataset=("ring8", "moons", "grid25")[i % 3], objective="nonsaturating", seed=21 + i)
        for i in range(6)
    ]
    clients = [Client(url, verbose=False) for _ in class_configs]
    try:
        for c, cfg in zip(clients, class_configs):
            c.predict(**cfg, api_name="/train")
        firsts = [_wait(c, lambda s: s["step"] >= 50) for c in clients]
        for status, cfg in zip(firsts, class_configs):
            assert _own(status, cfg) and status["state"] == "running", (cfg, status)
        clients[0].predict(api_name="/pause")
        paused_at = _wait(clients[0], lambda s: s["state"] == "paused")["step"]
        for c, cfg, first in zip(clients[1:], class_configs[1:], firsts[1:]):
            later = _wait(c, lambda s, before=first["step"]: s["step"] > before + 50)
            assert _own(later, cfg) and later["state"] == "running"
        time.sleep(0.5)
        assert clients[0].predict(api_name="/status")["step"] == paused_at  # the pause held
    finally:
        for c in clients:
            try:
                c.predict(api_name="/stop")
            except AppError:
                pass
            c.close()


def test_bad_inputs_get_one_line_and_nothing_saved_is_lost(server, saved, tmp_path):
    url, runs = server
    archive, weights, digest = saved
    c = Client(url, verbose=False)
    upload = dict(CONFIGS[0], dataset="upload")
    try:
        before = _picture(c.predict("runs/keep-me", 3, 1.0, None, api_name="/generate"))
        files = {
            "empty.zip": b"",
            "notes.zip": b"lecture notes, not an archive\n" * 10,
            "nan.csv": b"x,y\n1,2\nnan,inf\n",
            "words.csv": b"x,y\n1,2\nthree,4\n",
            "one.csv": b"x\n1\n2\n",
        }
        for name, data in files.items():
            (tmp_path / name).write_bytes(data)
        train = lambda name, **kw: c.predict(
            **dict(upload, **kw),
            upload=handle_file(str(tmp_path / name)),  # noqa: E731
            api_name="/train",
        )
        _one_line_error(lambda: train("empty.zip"), "empty")
        _one_line_error(lambda: train("notes.zip"), "notes.zip")
        for name, needle in {"nan.csv": "finite", "words.csv": "row 3", "one.csv": "column"}.items():
            _one_line_error(lambda: train(name), needle)
        with zipfile.ZipFile(tmp_path / "no-images.zip", "w") as z:
            z.writestr("readme.txt", "no pictures here")
        _one_line_error(lambda: train("no-images.zip"), "image")

        # configs no public server should accept
        run = lambda **kw: c.predict(**dict(CONFIGS[0], **kw), api_name="/train")  # noqa: E731
        _one_line_error(lambda: run(g_lr=1e9), "lr")
        _one_line_error(
            lambda: run(batch_size=0), "batch_size: Value 0 is less than minimum value 1"
        )  # the config's own bound
        _one_line_error(lambda: run(device="cuda:7"), "device: Value: cuda:7")
        _one_line_error(lambda: run(steps=1_000_000), "GANLAB_MAX_STEPS")
        # the model-size cap (1M parameters on this server): DCGAN at width 256 on digits is ~2.4M
        _one_line_error(lambda: run(dataset="digits", model="dcgan", width=256, z_dim=64), "width")

        # a pickle that would run code, given to the Style tab's import: refused, never run
        marker = tmp_path / "ran"
        (tmp_path / "evil.pth").write_bytes(pickle.dumps(_RunsCode(str(marker))))
        _one_line_error(
            lambda: c.predict([handle_file(str(tmp_path / "evil.pth"))], api_name="/style_upload"), "refused"
        )
        assert not marker.exists()

        # a truncated checkpoint zip and a foreign zip, given to Explore's upload
        raw = open(archive, "rb").read()
        (tmp_path / "cut.zip").write_bytes(raw[: len(raw) // 2])
        _one_line_error(
            lambda: c.predict([handle_file(str(tmp_path / "cut.zip"))], api_name="/explore_upload"), "cut.zip"
        )
        _one_line_error(
            lambda: c.predict([handle_file(str(tmp_path / "no-images.zip"))], api_name="/explore_upload"), "model.json"
        )

        # the server is still up, and the saved run is intact and still loads
        assert c.predict(api_name="/status")["state"] == "none"
        assert hashlib.sha256(weights.read_bytes()).hexdigest() == digest
        assert np.array_equal(_picture(c.predict("runs/keep-me", 3, 1.0, None, api_name="/generate")), before)
        assert sorted(p.name for p in runs.iterdir()) == ["keep-me"]
    finally:
        c.close()


class _RunsCode:
    """Unpickling this would create a file: the loader must never do it."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


# -- caps, in process (fast) -------------------------------------------------------------------


def test_a_job_stops_itself_at_the_wall_time_cap(monkeypatch):
    monkeypatch.setenv("GANLAB_MAX_JOB_SECONDS", "1")
    slots = DeviceSlots()
    cfg = recommended_config("ring8").updated(device="cpu", width=16, depth=1, batch_size=32, steps=100_000)
    jobs = [start_job(cfg, slots=slots), start_job(cfg, slots=slots, paused=True)]  # paused time counts too
    try:
        deadline = time.monotonic() + 15
        while any(j.alive for j in jobs) and time.monotonic() < deadline:
            time.sleep(0.1)
        for job in jobs:
            assert job.snapshot.state == "stopped", job.snapshot
            assert "GANLAB_MAX_JOB_SECONDS" in job.snapshot.message
        assert slots.in_use("cpu") == 0  # their device slots are free again
    finally:
        for job in jobs:
            job.close()


def test_steps_and_upload_caps_name_their_variable(monkeypatch, tmp_path):
    monkeypatch.setenv("GANLAB_MAX_STEPS", "500")
    cfg = recommended_config("ring8").updated(device="cpu", width=16, depth=1, steps=501)
    with pytest.raises(ConfigError, match="GANLAB_MAX_STEPS"):
        start_job(cfg, slots=DeviceSlots())
    monkeypatch.setenv("GANLAB_MAX_UPLOAD_BYTES", "100")
    big = tmp_path / "big.csv"
    big.write_bytes(b"1,2\n" * 100)
    with pytest.raises(GanLabError, match="GANLAB_MAX_UPLOAD_BYTES"):
        sessions.check_uploads([str(big)])
    (tmp_path / "small.csv").write_bytes(b"1,2\n")
    assert sessions.check_uploads(str(tmp_path / "small.csv")) == [str(tmp_path / "small.csv")]
