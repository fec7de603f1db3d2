"""The Restore tab through gradio_client and its handlers: ``restore(image, model, mask, sigma) -> image``.

Runs against a Blocks holding just the Restore tab and a temporary zoo of tiny digits models
trained here (x4 SRResNet/SRGAN twins, pix2pix inpaint and denoise), so it needs no data set,
no shipped model and no GPU.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import require_module

gr = require_module("gradio")
from gradio_client import Client, handle_file  # noqa: E402

from restore_fixtures import digit_png, make_zoo, mask_png, train_tiny  # noqa: E402
from ganlab.inference.restore import load_restorer, restore  # noqa: E402
from ganlab.metrics.restoration import scores  # noqa: E402

BOX = (6, 8, 16, 18)  # left, top, right, bottom of the hole in the 28x28 picture


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("restore")
    zoo = make_zoo(root / "zoo")
    mp = pytest.MonkeyPatch()
    mp.setenv("GANLAB_PRETRAINED", str(zoo))
    from ganlab.ui.tabs.restore import build_restore_tab

    with gr.Blocks() as demo:
        build_restore_tab()
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    client = Client(demo.local_url, verbose=False)
    yield client, demo, zoo, root
    client.close()
    demo.close()
    mp.undo()


@pytest.fixture()
def digit(tmp_path) -> Path:
    return digit_png(tmp_path / "digit.png")


def _hole() -> np.ndarray:
    hole = np.zeros((28, 28), dtype=bool)
    hole[BOX[1] : BOX[3], BOX[0] : BOX[2]] = True
    return hole


def test_the_restore_endpoint_takes_image_model_mask_sigma(app):
    _, demo, _, _ = app
    endpoints = demo.get_api_info()["named_endpoints"]
    assert [p["parameter_name"] for p in endpoints["/restore"]["parameters"]] == ["image", "model", "mask", "sigma"]
    assert [r["component"] for r in endpoints["/restore"]["returns"]] == ["Image"]
    assert set(endpoints) == {"/restore"}  # the helpers (editor, demo, lists) are not documented


def test_x4_returns_four_times_the_size_and_the_core_result(app, tmp_path):
    client, _, zoo, _ = app
    path = digit_png(tmp_path / "wide.png", size=(24, 20))
    result = Image.open(client.predict(handle_file(str(path)), "digits-sr4-psnr", None, 0.25, api_name="/restore"))
    assert result.size == (96, 80)
    expected = restore(load_restorer(zoo / "digits-sr4-psnr"), Image.open(path))
    assert np.array_equal(np.asarray(result.convert("L")), np.asarray(expected))


def test_inpaint_changes_only_the_hole(app, digit, tmp_path):
    client, _, _, _ = app
    mask = mask_png(tmp_path / "mask.png", (28, 28), BOX)
    result = np.asarray(
        Image.open(
            client.predict(handle_file(str(digit)), "digits-inpaint", handle_file(str(mask)), 0.25, api_name="/restore")
        ).convert("L")
    )
    before, hole = np.asarray(Image.open(digit)), _hole()
    assert result.shape == before.shape
    assert np.array_equal(result[~hole], before[~hole])
    assert not np.array_equal(result[hole], before[hole])


def test_denoise_adds_the_sliders_noise_first(app, digit):
    client, _, zoo, _ = app
    calm = Image.open(client.predict(handle_file(str(digit)), "digits-denoise", None, 0.0, api_name="/restore"))
    noisy = Image.open(client.predict(handle_file(str(digit)), "digits-denoise", None, 0.5, api_name="/restore"))
    model = load_restorer(zoo / "digits-denoise")
    assert np.array_equal(np.asarray(noisy.convert("L")), np.asarray(restore(model, Image.open(digit), sigma=0.5)))
    assert not np.array_equal(np.asarray(calm), np.asarray(noisy))


def _refused(client, needle: str, *args) -> str:
    with pytest.raises(Exception) as info:
        client.predict(*args, api_name="/restore")
    message = str(info.value)
    assert needle in message and "Traceback" not in message, message
    return message


@pytest.mark.parametrize(
    "kind, needle",
    [
        ("size", "mask: the mask is 10x12 but the image is 28x28"),
        ("black", "mask: the mask is all black"),
        ("garbage", "mask: mask.png: not a readable image"),
        ("none", "draw the hole on the image"),
    ],
)
def test_bad_masks_are_refused_with_their_reason(app, digit, tmp_path, kind, needle):
    client, _, _, _ = app
    mask = None
    if kind == "size":
        mask = handle_file(str(mask_png(tmp_path / "mask.png", (10, 12), (1, 1, 5, 5))))
    elif kind == "black":
        mask = handle_file(str(mask_png(tmp_path / "mask.png", (28, 28), None)))
    elif kind == "garbage":
        (tmp_path / "mask.png").write_bytes(b"my shopping list, not a mask\n" * 10)
        mask = handle_file(str(tmp_path / "mask.png"))
    _refused(client, needle, handle_file(str(digit)), "digits-inpaint", mask, 0.25)


def test_other_bad_input_gets_one_specific_line(app, digit, tmp_path):
    client, _, _, _ = app
    notes = tmp_path / "notes.png"
    notes.write_bytes(b"lecture notes\n" * 40)
    mask = handle_file(str(mask_png(tmp_path / "mask.png", (28, 28), BOX)))
    _refused(client, "image: upload a photo or digit", None, "digits-sr4", None, 0.25)
    _refused(client, "choose a restoration model first", handle_file(str(digit)), "", None, 0.25)
    _refused(client, "unknown model 'photo-sr8'", handle_file(str(digit)), "photo-sr8", None, 0.25)
    _refused(client, "image: notes.png: not a readable image", handle_file(str(notes)), "digits-sr4", None, 0.25)
    _refused(
        client,
        "mask: digits-sr4 does x4 upscale; a mask is only for inpainting",
        handle_file(str(digit)),
        "digits-sr4",
        mask,
        0.25,
    )
    _refused(
        client, "sigma: Value 1.5 is greater than maximum value 1", handle_file(str(digit)), "digits-denoise", None, 1.5
    )


def test_a_big_upload_is_scaled_down_before_x4_and_the_tab_says_so(app, tmp_path):
    from ganlab.ui.tabs import restore_actions as act

    path = digit_png(tmp_path / "big.png", size=(600, 300))
    out = act.restore_image(str(path), "digits-sr4-psnr", None, 0.25)
    assert out.size == (2048, 1024)  # 512 x 256, then x4
    (before, after), note = act.before_after(str(path), out, "digits-sr4-psnr")
    assert before.size == after.size == (2048, 1024)
    assert "600x300" in note and "512x256" in note


def test_the_editor_drawing_becomes_the_hole(app, digit, tmp_path):
    """What the page sends: the editor's background and its drawn (RGBA) layer."""
    from ganlab.ui.tabs import restore_actions as act

    layer = np.zeros((28, 28, 4), dtype=np.uint8)
    layer[_hole()] = (255, 59, 48, 255)  # painted where the hole is; transparent elsewhere
    Image.fromarray(layer, "RGBA").save(tmp_path / "layer.png")
    editor = {"background": str(digit), "layers": [str(tmp_path / "layer.png")], "composite": None}
    image, model, mask = act.editor_parts(editor, "inpaint", "digits-inpaint")
    assert (image, model) == (str(digit), "digits-inpaint")
    assert np.array_equal(np.asarray(mask) > 127, _hole())
    out = np.asarray(act.restore_image(image, model, mask, 0.25))
    assert np.array_equal(out[~_hole()], np.asarray(Image.open(digit))[~_hole()])
    # a layer with nothing drawn, no picture: both named, neither a crash
    empty = {"background": str(digit), "layers": [], "composite": None}
    with pytest.raises(gr.Error, match="draw the hole on the image"):
        act.editor_parts(empty, "inpaint", "digits-inpaint")
    with pytest.raises(gr.Error, match="upload a photo or digit"):
        act.editor_parts(None, "inpaint", "digits-inpaint")


def test_a_click_right_after_a_task_change_runs_the_model_the_new_list_shows(app, digit, tmp_path, monkeypatch):
    """Restore pressed before the task change's model list reached the page sends the old task's
    model: the click runs the model that list puts in the dropdown, not an error or the old task."""
    from ganlab.ui.tabs import restore_actions as act

    layer = np.zeros((28, 28, 4), dtype=np.uint8)
    layer[_hole()] = (255, 59, 48, 255)
    Image.fromarray(layer, "RGBA").save(tmp_path / "layer.png")
    editor = {"background": str(digit), "layers": [str(tmp_path / "layer.png")], "composite": None}
    shown = act.task_changed("inpaint", "digits-sr4")[1]["value"]  # what the dropdown then shows
    _, model, mask = act.editor_parts(editor, "inpaint", "digits-sr4")
    assert model == shown and act.resolve_model(model)[0].task == "inpaint"
    assert np.array_equal(np.asarray(mask) > 127, _hole())
    # a task no model does yet says so by name
    monkeypatch.setattr(act, "model_choices", lambda task: [])
    with pytest.raises(gr.Error, match="digits-sr4 does x4 upscale, and no model does inpaint yet"):
        act.editor_parts(editor, "inpaint", "digits-sr4")


def test_random_box_paints_a_hole_the_restore_then_fills(app, digit):
    from ganlab.ui.tabs import restore_actions as act

    editor = act.random_box({"background": str(digit), "layers": [], "composite": None}, seed=3)
    hole = np.asarray(editor["layers"][0])[..., 3] > 0
    assert editor["layers"][0].size == (28, 28) and 0.05 < hole.mean() < 0.3
    _, _, mask = act.editor_parts(editor, "inpaint", "digits-inpaint")
    assert np.array_equal(np.asarray(mask) > 127, hole)


def test_degrade_then_restore_captions_every_result_with_psnr_and_ssim(app, digit):
    from ganlab.inference.restore_demo import to_tensor
    from ganlab.ui.tabs import restore_actions as act

    gallery, table = act.degrade_demo(str(digit), "digits-sr4", None, 0.25)
    labels = [caption.split(":")[0] for _, caption in gallery]
    # the chosen SRGAN brings its SRResNet twin; pixel-loss model first, then the GAN
    assert labels == ["clean (ground truth)", "bicubic x4", "SRResNet (digits-sr4-psnr)", "SRGAN (digits-sr4)"]
    clean = gallery[0][0]
    for image, caption in gallery[1:]:
        assert image.size == clean.size == (28, 28)
        s = scores(to_tensor(image, 1), to_tensor(clean, 1))
        assert f"PSNR {s['psnr']:.2f} dB, SSIM {s['ssim']:.3f}" in caption  # the caption says what it shows
        assert f"{s['psnr']:.2f}" in table
    noisy = act.degrade_demo(str(digit), "digits-denoise", None, 0.3)[0]
    assert [c.split(":")[0] for _, c in noisy] == [
        "clean (ground truth)",
        "noisy (sigma 0.3)",
        "pix2pix (digits-denoise)",
    ]
    mask = Image.fromarray(_hole().astype(np.uint8) * 255, "L")
    masked = act.degrade_demo(str(digit), "digits-inpaint", mask, 0.25)[0]
    assert "PSNR" in masked[1][1] and "PSNR" in masked[2][1]
    with pytest.raises(gr.Error, match="draw the hole"):
        act.degrade_demo(str(digit), "digits-inpaint", None, 0.25)


def test_a_saved_run_appears_under_its_task(app, tmp_path, monkeypatch):
    from ganlab.ui.tabs import restore_actions as act

    monkeypatch.setenv("GANLAB_RUNS", str(tmp_path / "runs"))  # this test's own runs/, seen by other tests never
    assert act.model_choices("sr4") == ["digits-sr4", "digits-sr4-psnr"]
    runs = Path(os.environ["GANLAB_RUNS"])
    train_tiny(runs / "my-inpaint", "pix2pix", "inpaint")
    assert "runs/my-inpaint" in act.model_choices("inpaint")
    assert "runs/my-inpaint" not in act.model_choices("sr4")
    update = act.refresh_models("inpaint", "digits-inpaint")
    assert "runs/my-inpaint" in update["choices"] and update["value"] == "digits-inpaint"
    editor, dropdown, sigma, box, card = act.task_changed("inpaint", "digits-sr4")
    assert dropdown["value"] == "digits-inpaint" and box["visible"] and not sigma["visible"]
    assert "paint the hole" in editor["label"] and "value" not in editor  # the picture stays
    editor = act.task_changed("sr4", "digits-inpaint")[0]
    assert "upscale" in editor["label"] and "hole" not in editor["label"]
    card = act.model_card("runs/my-inpaint")
    assert "saved run" in card and "pix2pix for inpaint" in card and "Held-out PSNR" in card


def test_the_demo_panels_arrive_lossless_through_the_app(app, digit):
    """The page shows the demo's panels as PNG: a lossy format would change the pixels the captions score."""
    client, _, _, _ = app
    gallery, table = client.predict(handle_file(str(digit)), "digits-denoise", None, 0.3, api_name="/restore_demo")
    shown = [np.asarray(Image.open(item["image"]).convert("L")) for item in gallery]
    assert np.array_equal(shown[0], np.asarray(Image.open(digit)))  # the clean picture, exactly
    assert [item["caption"].split(":")[0] for item in gallery] == [
        "clean (ground truth)",
        "noisy (sigma 0.3)",
        "pix2pix (digits-denoise)",
    ]
    assert "| noisy (sigma 0.3) |" in table
