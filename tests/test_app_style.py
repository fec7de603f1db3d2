"""The Style tab answers through gradio_client: ``translate(image, model) -> image`` on a real photo.

Runs against a Blocks holding just the Style tab and a temporary zoo with a
tiny trained pair (warm2cold / cold2warm), so it needs no data set or GPU.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

from conftest import require_module

gr = require_module("gradio")
from gradio_client import Client, handle_file  # noqa: E402

from cyclegan_fixtures import export_pair, official_state, sample_photo, tiny_trainer  # noqa: E402
from ganlab.families.cyclegan.io import load_translator  # noqa: E402
from ganlab.errors import GanLabError  # noqa: E402
from ganlab.inference.translate import translate_image  # noqa: E402


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    root = tmp_path_factory.mktemp("style")
    trainer = tiny_trainer(root / "data", steps=3)
    export_pair(trainer, root / "zoo")
    photo = root / "china.jpg"
    sample_photo().save(photo, quality=95)
    mp = pytest.MonkeyPatch()
    mp.setenv("GANLAB_PRETRAINED", str(root / "zoo"))
    from ganlab.ui.tabs.style import build_style_tab

    with gr.Blocks() as demo:
        build_style_tab()
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    client = Client(demo.local_url, verbose=False)
    yield client, root, photo
    client.close()
    demo.close()
    mp.undo()


def test_translate_endpoint_matches_the_core_at_full_resolution(app):
    client, root, photo = app
    result = Image.open(client.predict(handle_file(str(photo)), "warm2cold", api_name="/translate"))
    assert result.size == (640, 427)
    expected = translate_image(load_translator(root / "zoo" / "warm2cold"), Image.open(photo))
    assert np.abs(np.asarray(result, np.int16) - np.asarray(expected, np.int16)).max() <= 1
    small = Image.open(client.predict(handle_file(str(photo)), "warm2cold", "BtoA", "256", api_name="/translate"))
    assert small.size == (256, 171)


def test_translate_endpoint_explains_bad_input(app):
    client, _, photo = app
    with pytest.raises(Exception, match="unknown model"):
        client.predict(handle_file(str(photo)), "no-such-model", api_name="/translate")


def test_round_trip_view_and_official_upload(app, tmp_path):
    from ganlab.ui.tabs import style as style_tab

    _, root, photo = app
    image = Image.open(photo).convert("RGB")
    translated = style_tab.translate(image, "warm2cold", "AtoB", "256")
    (before, after), gallery, note = style_tab.compare(image, translated, "warm2cold", "AtoB", "256")
    assert before.size == after.size == (256, 171) and len(gallery) == 3 and "Round trip" in note
    # the third picture is the way back: the core's forward, then its inverse, on the same photo
    pair = load_translator(root / "zoo" / "warm2cold")
    expected = translate_image(pair.backward, translate_image(pair.forward, image, 256))
    shown = np.asarray(gallery[2][0], np.int16)
    assert shown.shape == np.asarray(expected).shape
    assert np.abs(shown - np.asarray(expected, np.int16)).max() <= 1
    assert np.abs(shown - np.asarray(after, np.int16)).mean() > 1  # not the translation shown again
    error = np.abs(shown.astype(np.float32) - np.asarray(before, np.float32)).mean()
    assert f"{error:.1f}/255" in note  # the note reports the distance it shows
    # two official .pth generators (G_A then G_B) make a pair with both directions
    for name, seed in (("latest_net_G_A.pth", 0), ("latest_net_G_B.pth", 1)):
        torch.save(official_state(ngf=8, n_blocks=6, seed=seed)[1], tmp_path / name)
    name = style_tab.register_upload([str(tmp_path / "latest_net_G_A.pth"), str(tmp_path / "latest_net_G_B.pth")])
    assert name in style_tab.model_choices() and [v for _, v in style_tab.direction_choices(name)] == ["AtoB", "BtoA"]
    assert style_tab.translate(image, name, "BtoA", "256").size == (256, 171)
    (tmp_path / "bad.pth").write_bytes(b"not a checkpoint")
    with pytest.raises(GanLabError):
        style_tab.register_upload([str(tmp_path / "bad.pth")])
