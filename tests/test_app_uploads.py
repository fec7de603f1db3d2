"""Every upload in every tab, tried as a visitor to a public Space would: bad files through gradio_client.

A text file renamed .jpg, a decompression-bomb PNG, a zero-byte file and a
truncated PNG are sent to each upload endpoint of the real app (``python
app.py``). Each must be answered with one specific line (gradio_client's
AppError carries the gr.Error message), never Gradio's generic "upstream app
has raised an exception" and never a traceback, and the app must answer the
next call. A good photo must still translate end to end.
"""

from __future__ import annotations

import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest
from PIL import Image

gradio_client = pytest.importorskip("gradio_client")
from gradio_client import Client, handle_file  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from app_server import serve_app  # noqa: E402
from bad_files import bomb_png, encode  # noqa: E402

GENERIC = "upstream gradio app has raised an exception"
RING = dict(width=32, depth=2, z_dim=2, batch_size=64, g_lr=1e-3, d_lr=1e-3, steps=50, seed=0, device="cpu")
CYCLEGAN_UPLOAD = "Upload two zips"  # the Train CycleGAN tab's source choice


def _truncated_png() -> bytes:
    png = encode(Image.effect_noise((64, 64), 40).convert("RGB"))
    return png[: len(png) // 2]


BAD = {  # name -> bytes: what a careless or hostile visitor uploads
    "notes.jpg": b"these are my lecture notes, not a picture\n" * 20,
    "bomb.png": bomb_png(30000, 30000),
    "empty.jpg": b"",
    "truncated.png": _truncated_png(),
}
IMAGE_NEEDLES = {
    "notes.jpg": "not a readable image",
    "bomb.png": "decompression bomb",
    "empty.jpg": "empty",
    "truncated.png": "truncated",
}


@pytest.fixture(scope="module")
def app(tmp_path_factory) -> Any:
    workdir = tmp_path_factory.mktemp("uploads")
    with serve_app(workdir, OMP_NUM_THREADS="1") as url:
        client = Client(url, verbose=False)
        try:
            yield client, workdir
        finally:
            client.close()


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bad")
    for name, raw in BAD.items():
        (folder / name).write_bytes(raw)
    return folder


def _photos_zip(path: Path, n: int = 2) -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        for i in range(n):
            archive.writestr(f"p{i}.png", encode(Image.effect_noise((40, 40), 30 + i).convert("RGB")))
    return path


def _refused(call: Callable[[], Any], *needles: str) -> str:
    """``call`` fails with one specific line containing every needle (not Gradio's generic one)."""
    with pytest.raises(AppError) as info:
        call()
    message = str(info.value)
    assert GENERIC not in message.lower(), message
    assert "Traceback" not in message and "\n" not in message.strip(), message
    assert not message.startswith(("'", '"')), message  # a gr.Error re-wrapped would show its repr
    for needle in needles:
        assert needle.lower() in message.lower(), message
    return message


def _still_answers(client: Client) -> None:
    assert client.predict(api_name="/status")["state"] in ("none", "stopped", "finished", "running")


# -- image components: Style's photo and Train's drawing canvas ------------------------------------


@pytest.mark.parametrize("name", list(BAD))
def test_translate_refuses_a_bad_photo_with_its_reason(app, files, name):
    client, _ = app
    _refused(
        lambda: client.predict(handle_file(str(files / name)), "summer2winter", api_name="/translate"),
        "photo",
        name,
        IMAGE_NEEDLES[name],
    )
    _still_answers(client)


@pytest.mark.parametrize("name", list(BAD))
def test_train_refuses_a_bad_drawing_with_its_reason(app, files, name):
    client, _ = app
    drawing = {"background": None, "layers": [], "composite": handle_file(str(files / name))}
    _refused(
        lambda: client.predict(**RING, dataset="draw", drawing=drawing, api_name="/train"),
        "drawing",
        name,
        IMAGE_NEEDLES[name],
    )
    _still_answers(client)


# -- file components: a wrong kind of file is refused naming it; the right suffix, read safely --------

FILE_ENDPOINTS: dict[str, tuple[Callable[[Client, str], Any], tuple[str, ...]]] = {
    "train": (
        lambda c, f: c.predict(**RING, dataset="upload", upload=handle_file(f), api_name="/train"),
        (".csv", ".zip"),
    ),
    "cyclegan_train": (
        lambda c, f: c.predict(CYCLEGAN_UPLOAD, handle_file(f), handle_file(f), "cpu", 2, api_name="/cyclegan_train"),
        (".zip",),
    ),
    "explore_upload": (
        lambda c, f: c.predict([handle_file(f)], api_name="/explore_upload"),
        (".zip", ".json", ".safetensors"),
    ),
    "style_upload": (lambda c, f: c.predict([handle_file(f)], api_name="/style_upload"), (".pth", ".pt")),
}


@pytest.mark.parametrize("endpoint", list(FILE_ENDPOINTS))
@pytest.mark.parametrize("name", list(BAD))
def test_file_uploads_refuse_the_wrong_kind_of_file_naming_it(app, files, endpoint, name):
    client, _ = app
    call, types = FILE_ENDPOINTS[endpoint]
    _refused(lambda: call(client, str(files / name)), name, "not a", types[0])
    _still_answers(client)


@pytest.mark.parametrize("endpoint", list(FILE_ENDPOINTS))
@pytest.mark.parametrize("name", list(BAD))
def test_file_uploads_refuse_bad_bytes_behind_the_right_suffix(app, files, tmp_path, endpoint, name):
    """The same bad bytes renamed to the suffix the upload accepts: the handler still says what is wrong."""
    client, _ = app
    call, types = FILE_ENDPOINTS[endpoint]
    renamed = tmp_path / (Path(name).stem + types[0])
    renamed.write_bytes(BAD[name])
    # the points reader says "points file ..." (and which row); the others name the file
    names = "points file" if types[0] == ".csv" and BAD[name] else renamed.name
    message = _refused(lambda: call(client, str(renamed)), names)
    if not BAD[name]:
        assert "empty" in message.lower(), message
    _still_answers(client)


def test_cyclegan_names_the_bad_zip_when_the_other_is_good(app, files, tmp_path):
    client, _ = app
    good = str(_photos_zip(tmp_path / "photos.zip"))
    bad = tmp_path / "notes.zip"
    bad.write_bytes(BAD["notes.jpg"])
    _refused(
        lambda: client.predict(
            CYCLEGAN_UPLOAD, handle_file(good), handle_file(str(bad)), "cpu", 2, api_name="/cyclegan_train"
        ),
        "notes.zip",
    )


# -- and a good upload still works end to end -----------------------------------------------------


def test_a_good_photo_still_translates_after_the_bad_ones(app, tmp_path):
    client, _ = app
    photo = tmp_path / "small.jpg"
    Image.effect_noise((120, 80), 60).convert("RGB").save(photo, quality=90)
    result = Image.open(client.predict(handle_file(str(photo)), "summer2winter", api_name="/translate"))
    assert result.size == (120, 80) and result.mode == "RGB"


def test_a_good_drawing_still_trains(app, tmp_path):
    client, _ = app
    canvas = Image.new("RGBA", (120, 120), (0, 0, 0, 0))
    canvas.paste((31, 41, 55, 255), (30, 30, 90, 90))
    path = tmp_path / "composite.png"
    canvas.save(path)
    drawing = {"background": None, "layers": [], "composite": handle_file(str(path))}
    client.predict(**RING, dataset="draw", drawing=drawing, api_name="/train")
    status = client.predict(api_name="/status")
    assert status["data_kind"] == "points" and status["dataset"] == "csv"
    client.predict(api_name="/stop")


def test_an_inline_data_url_photo_is_decoded_safely_too():
    """A photo sent inline (a data: URL) is written undecoded and opened by the safe decoder."""
    import base64

    import gradio as gr

    from ganlab.ui import uploads

    image = gr.Image(type="filepath")
    uploads.pass_paths(image)
    png = encode(Image.new("RGB", (6, 4), (255, 0, 0)))
    good = gr.data_classes.FileData(url="data:image/png;base64," + base64.b64encode(png).decode(), path="x")
    assert uploads.open_upload(image.preprocess(good), "photo").size == (6, 4)
    bad = gr.data_classes.FileData(url="data:image/png;base64," + base64.b64encode(BAD["notes.jpg"]).decode(), path="x")
    with pytest.raises(gr.Error, match="photo: pasted.png: not a readable image"):
        uploads.open_upload(image.preprocess(bad), "photo")


def test_a_canvas_sent_as_browser_blobs_is_written_out_undecoded():
    """The browser sends a Sketchpad's parts as blobs first (``accept_blobs``), then only their id."""
    import gradio as gr
    from gradio.components.image_editor import EditorData, EditorDataBlobs

    from ganlab.ui import uploads

    pad = gr.Sketchpad(type="filepath")
    uploads.pass_paths(pad)
    pad.blob_storage["b1"] = EditorDataBlobs(background=None, layers=[], composite=BAD["notes.jpg"])
    value = pad.preprocess(EditorData(id="b1"))
    assert Path(value["composite"]).read_bytes() == BAD["notes.jpg"] and "b1" not in pad.blob_storage
    with pytest.raises(gr.Error, match="drawing: composite.png: not a readable image"):
        uploads.open_upload(value["composite"], "drawing")


def test_a_phone_photo_is_turned_upright_as_gradio_did(tmp_path):
    from ganlab.ui import uploads

    image = Image.new("RGB", (40, 20), (255, 0, 0))
    exif = image.getexif()
    exif[274] = 6  # "rotate 90° clockwise to view"
    image.save(tmp_path / "phone.jpg", exif=exif.tobytes())
    assert uploads.open_upload(str(tmp_path / "phone.jpg"), "photo").size == (20, 40)
