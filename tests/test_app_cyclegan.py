"""The Train CycleGAN tab through gradio_client: upload two zips, train live, stop, save; bad zips
get one readable line."""

from __future__ import annotations

import io
import time
import zipfile
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import require_module

gradio_client = require_module("gradio_client")
from gradio_client import handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from app_server import app_server, session  # noqa: E402,F401  (the fixture)
from ganlab.inference.catalog import list_checkpoints  # noqa: E402
from shared_data import shared_data_root  # noqa: E402

TINY = dict(
    source="Upload two zips",
    device="cpu",
    steps=5000,
    image_size=32,
    ngf=4,
    n_blocks=1,
    batch_size=1,
    max_images=6,
    seed=0,
)


def _photo_zip(path: Path, channel: int, seed: int, n: int = 6) -> Path:
    """Noise photos tinted towards one colour channel (reddish vs bluish domains)."""
    rng = np.random.default_rng(seed)
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(n):
            pixels = rng.integers(0, 120, (32, 32, 3))
            pixels[..., channel] += 130
            buffer = io.BytesIO()
            Image.fromarray(pixels.astype(np.uint8)).save(buffer, "PNG")
            archive.writestr(f"photo{i}.png", buffer.getvalue())
    return path


@pytest.fixture(scope="module")
def zips(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("photos")
    return _photo_zip(folder / "red.zip", 0, 1), _photo_zip(folder / "blue.zip", 2, 2)


@pytest.fixture
def client(app_server):  # noqa: F811
    with session(app_server.url, "/cyclegan_stop") as c:
        yield c


def _wait(c, predicate, timeout=40.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        status = c.predict(api_name="/cyclegan_status")
        if predicate(status):
            return status
        assert time.monotonic() < deadline, f"timed out; last status {status}"
        time.sleep(0.2)


@pytest.mark.slow  # CycleGAN training through the app: 4-37 s measured on two busy cores
def test_train_watch_stop_and_save(client, zips, app_server, monkeypatch):  # noqa: F811
    red, blue = zips
    result = client.predict(
        zip_a=handle_file(str(red)), zip_b=handle_file(str(blue)), **TINY, api_name="/cyclegan_train"
    )
    picture = Image.open(result[0])  # the first triplets: 2 rows from each domain, 3 columns
    assert picture.width > 3 * 100 and picture.height > 4 * 100
    first = _wait(client, lambda s: s["history_rows"] >= 3)
    assert first["state"] == "running" and first["device"] == "cpu"
    assert first["domains"] == ["red", "blue"]
    assert set(first["last"]) >= {"g_ab", "g_ba", "cycle", "identity", "d_a", "d_b"}
    assert all(np.isfinite(v) for v in first["last"].values())
    later = _wait(client, lambda s: s["step"] > first["step"] + 5 and s["steps_per_s"] > 0)
    assert later["history_rows"] == later["step"]

    stopped_text = client.predict(api_name="/cyclegan_stop")
    assert "stopped" in stopped_text
    stopped = client.predict(api_name="/cyclegan_status")
    time.sleep(1.0)
    assert client.predict(api_name="/cyclegan_status")["step"] == stopped["step"] == stopped["history_rows"]

    archive = client.predict("tiny-cg", api_name="/cyclegan_save")
    with zipfile.ZipFile(archive) as z:
        names = {n.split("/")[0] for n in z.namelist()}
    assert names == {"tiny-cg", "tiny-cg-red2blue", "tiny-cg-blue2red"}
    monkeypatch.setenv("GANLAB_RUNS", str(app_server.runs))
    listed = {e.name for e in list_checkpoints("cyclegan")}  # what the Style tab offers
    assert {"runs/tiny-cg", "runs/tiny-cg-red2blue", "runs/tiny-cg-blue2red"} <= listed
    photo = app_server.workdir / "photo.png"
    Image.new("RGB", (40, 30), (200, 30, 30)).save(photo)
    translated = Image.open(client.predict(handle_file(str(photo)), "runs/tiny-cg-red2blue", api_name="/translate"))
    assert translated.size == (40, 30)


def test_bad_inputs_are_one_line_errors(client, zips, tmp_path):
    red, _ = zips
    broken = tmp_path / "broken.zip"
    broken.write_bytes(b"this is not a zip archive at all")
    with pytest.raises(AppError, match="broken.zip: not a folder or a zip archive of images"):
        client.predict(zip_a=handle_file(str(red)), zip_b=handle_file(str(broken)), **TINY, api_name="/cyclegan_train")
    no_photos = tmp_path / "notes.zip"
    with zipfile.ZipFile(no_photos, "w") as z:
        z.writestr("readme.txt", "no photos here")
    with pytest.raises(AppError, match="notes.zip: no readable images"):
        client.predict(
            zip_a=handle_file(str(no_photos)), zip_b=handle_file(str(red)), **TINY, api_name="/cyclegan_train"
        )
    with pytest.raises(AppError, match="upload two zips"):
        client.predict(zip_a=handle_file(str(red)), zip_b=None, **TINY, api_name="/cyclegan_train")
    with pytest.raises(AppError, match="image size: must be between 32"):
        client.predict(
            zip_a=handle_file(str(red)),
            zip_b=handle_file(str(red)),
            **dict(TINY, image_size=16),
            api_name="/cyclegan_train",
        )
    with pytest.raises(AppError, match="Train first"):
        client.predict(api_name="/cyclegan_stop")
    assert client.predict(api_name="/cyclegan_status")["state"] == "none"


def test_summer_winter_from_the_data_root(client):
    shared_data_root("summer2winter_yosemite")  # skips with the reason when absent
    settings = dict(TINY, source="summer2winter (from the data root)", max_images=4)
    client.predict(zip_a=None, zip_b=None, **settings, api_name="/cyclegan_train")
    status = _wait(client, lambda s: s["step"] >= 2)
    assert status["domains"] == ["summer", "winter"] and status["dataset"] == "summer2winter"


def test_api_lists_the_documented_parameters(client):
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in info["/cyclegan_train"]["parameters"]] == [
        "source",
        "zip_a",
        "zip_b",
        "device",
        "steps",
        "image_size",
        "ngf",
        "n_blocks",
        "batch_size",
        "max_images",
        "seed",
        "upsample",
    ]
    for name in ("/cyclegan_stop", "/cyclegan_status"):
        assert info[name]["parameters"] == []
    assert [p["parameter_name"] for p in info["/cyclegan_save"]["parameters"]] == ["name"]


def test_the_form_trains_the_upsampling_it_shows_and_names_a_bad_one():
    from ganlab.errors import GanLabError
    from ganlab.ui.tabs.cyclegan import SUMMER_WINTER, config_from_form

    form = (SUMMER_WINTER, None, None, "cpu", 10, 64, 16, 2, 1, 10, 0)
    assert config_from_form(*form).upsample == "deconv"  # a script that leaves it out: the paper's layout
    assert config_from_form(*form, "resize").upsample == "resize"
    with pytest.raises(GanLabError, match="upsample: must be one of deconv, resize"):
        config_from_form(*form, "bilinear")
