"""The Explore and Interpolate tabs answer through gradio_client: ``generate`` and ``interpolate``.

Runs against a Blocks holding just these two tabs and a temporary zoo of two
tiny generators (an image model and a class-conditional one), plus the
shipped ``ring`` when it is there, so it needs no data set and no GPU.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from conftest import require_module

gr = require_module("gradio")
from gradio_client import Client  # noqa: E402

from ganlab.families.gan.config import TrainConfig  # noqa: E402
from ganlab.paths import pretrained_dir  # noqa: E402
from ganlab.inference.sample import generate as cli_generate  # noqa: E402
from ganlab.families.gan.state import save_trainer  # noqa: E402
from ganlab.families.gan.trainer import Trainer  # noqa: E402


def _tiny(folder, **changes):
    cfg = TrainConfig(
        dataset="digits",
        model="dcgan",
        image_size=16,
        width=8,
        z_dim=8,
        batch_size=16,
        steps=2,
        device="cpu",
        **changes,
    )
    trainer = Trainer(cfg)
    trainer.run(2)
    save_trainer(trainer, folder, inference_only=True)
    return trainer


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    zoo = tmp_path_factory.mktemp("zoo")
    _tiny(zoo / "tiny")
    _tiny(zoo / "tiny-conditional", conditional=True)
    shutil.copytree(pretrained_dir() / "ring", zoo / "ring")  # shipped: the 2D view is tested on it
    mp = pytest.MonkeyPatch()
    mp.setenv("GANLAB_PRETRAINED", str(zoo))
    from ganlab.ui.tabs.explore import build_explore_tab
    from ganlab.ui.tabs.interpolate import build_interpolate_tab

    with gr.Blocks() as demo:
        with gr.Tab("Explore"):
            build_explore_tab()
        with gr.Tab("Interpolate"):
            build_interpolate_tab()
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    client = Client(demo.local_url, verbose=False)
    yield client, zoo
    client.close()
    demo.close()
    mp.undo()


def _image(result) -> np.ndarray:
    return np.asarray(Image.open(result))


def test_generate_matches_the_cli_sampler(app):
    client, zoo = app
    out = _image(client.predict("tiny", 5, 1.0, None, api_name="/generate"))
    from ganlab.engine.checkpoints import load_generator
    from ganlab.inference.explore import picture

    g, _ = load_generator(zoo / "tiny")
    expected = np.asarray(picture(cli_generate(g, 1, seed=5)))
    assert out.shape[:2] == expected.shape[:2] and out.shape[0] >= 128
    assert np.array_equal(out[..., 0] if out.ndim == 3 else out, expected)
    other = _image(client.predict("tiny", 6, 1.0, None, api_name="/generate"))
    assert not np.array_equal(out, other)


def test_generate_truncation_zero_is_the_same_image_for_every_seed(app):
    client, _ = app
    a = _image(client.predict("tiny", 1, 0.0, None, api_name="/generate"))
    b = _image(client.predict("tiny", 2, 0.0, None, api_name="/generate"))
    assert np.array_equal(a, b)


def test_generate_class_changes_a_conditional_sample(app):
    client, _ = app
    zero = _image(client.predict("tiny-conditional", 3, 1.0, "0", api_name="/generate"))
    seven = _image(client.predict("tiny-conditional", 3, 1.0, "7", api_name="/generate"))
    assert zero.shape == seven.shape and not np.array_equal(zero, seven)


def test_generate_bad_input_is_a_clear_error(app):
    client, _ = app
    with pytest.raises(Exception, match="unknown checkpoint"):
        client.predict("no-such-model", 1, 1.0, None, api_name="/generate")
    with pytest.raises(Exception, match="class"):
        client.predict("tiny-conditional", 1, 1.0, "giraffe", api_name="/generate")
    with pytest.raises(Exception, match="truncation: .*maximum value"):
        client.predict("tiny", 1, 7.0, None, api_name="/generate")


def test_interpolate_returns_an_animated_gif_with_the_frames(app):
    client, _ = app
    path = client.predict("tiny", 0, 1, 6, "lerp", api_name="/interpolate")
    with Image.open(path) as gif:
        assert gif.format == "GIF" and gif.n_frames == 6 + 4  # forward, then back without repeating ends
    path = client.predict("tiny", 0, 1, 4, "slerp", 1.0, api_name="/interpolate")
    assert Image.open(path).n_frames == 4 + 2


def test_interpolate_between_classes_and_rejects_bad_frames(app):
    client, _ = app
    path = client.predict("tiny-conditional", 0, 0, 3, "slerp", 1.0, "1", "8", api_name="/interpolate")
    with Image.open(path) as gif:
        gif.seek(0)
        first = np.asarray(gif.convert("L"))
        gif.seek(2)
        last = np.asarray(gif.convert("L"))
    assert not np.array_equal(first, last)  # same seed, the class alone moved
    with pytest.raises(Exception, match="frames: .*maximum value"):
        client.predict("tiny", 0, 1, 65, "lerp", api_name="/interpolate")
    with pytest.raises(Exception, match="method: .*not in the list of choices"):
        client.predict("tiny", 0, 1, 5, "cubic", api_name="/interpolate")


def test_two_d_model_shows_points_in_data_space(app):
    client, _ = app
    img = _image(client.predict("ring", 0, 1.0, None, api_name="/generate"))
    assert img.ndim == 3 and img.shape[0] >= 256  # a canvas, not a 2-pixel "image"
    assert Image.open(client.predict("ring", 0, 1, 5, "slerp", api_name="/interpolate")).n_frames == 5 + 3


def test_api_lists_exactly_the_documented_parameters(app):
    client, _ = app
    info = client.view_api(return_format="dict", print_info=False)["named_endpoints"]
    assert [p["parameter_name"] for p in info["/generate"]["parameters"]] == [
        "checkpoint",
        "seed",
        "truncation",
        "label",
    ]
    params = [p["parameter_name"] for p in info["/interpolate"]["parameters"]]
    assert params[:5] == ["checkpoint", "seed_a", "seed_b", "frames", "method"]
    assert len(info["/interpolate"]["returns"]) == 1  # just the GIF


def test_uploaded_checkpoint_zip_becomes_a_dropdown_choice(app, tmp_path):
    import zipfile

    from ganlab.ui.tabs import explore_actions as explore_tab

    client, zoo = app
    archive = tmp_path / "mine.zip"
    with zipfile.ZipFile(archive, "w") as z:
        z.write(zoo / "tiny" / "model.json", "mine/model.json")
        z.write(zoo / "tiny" / "model.safetensors", "mine/model.safetensors")
        z.writestr("mine/../../evil.txt", "never extracted")
    name = explore_tab.register_upload([str(archive)])
    assert name.startswith("upload/") and name in explore_tab.checkpoint_choices()
    uploaded = _image(client.predict(name, 5, 1.0, None, api_name="/generate"))
    assert uploaded.shape[0] >= 128
    assert np.array_equal(uploaded, _image(client.predict("tiny", 5, 1.0, None, api_name="/generate")))  # its weights
    assert not np.array_equal(uploaded, _image(client.predict(name, 6, 1.0, None, api_name="/generate")))  # its seed
    bad = tmp_path / "bad.zip"
    with zipfile.ZipFile(bad, "w") as z:
        z.writestr("model.json", "{}")
    with pytest.raises(Exception, match="must contain"):
        explore_tab.register_upload([str(bad)])
    with pytest.raises(Exception, match="unknown checkpoint"):  # server paths are not openable by API
        client.predict(str(zoo / "tiny"), 5, 1.0, None, api_name="/generate")


def test_sliders_move_the_sample_and_untouched_sliders_change_nothing(app):
    from ganlab.inference import explore
    from ganlab.ui.tabs import explore_actions as et

    loaded = et.resolve_checkpoint("tiny")
    z = explore.code(loaded, 4)[0]
    seed_dims = [round(float(v), 2) for v in z[: explore.Z_SLIDERS]]  # what the sliders show
    still = [0.0] * explore.DIRECTIONS + seed_dims
    base = np.asarray(et.generate("tiny", 4, 1.0, None))
    same, strip = et.edit("tiny", 4, 1.0, None, "PC1", 3.0, *still)
    assert np.array_equal(np.asarray(same), base)
    assert strip.width > 5 * strip.height  # a row of 9 frames
    moved, _ = et.edit("tiny", 4, 1.0, None, "PC1", 3.0, *([2.0] + still[1:]))
    assert not np.array_equal(np.asarray(moved), base)
    dims = list(still)
    dims[explore.DIRECTIONS] = seed_dims[0] + 2.5
    edited, _ = et.edit("tiny", 4, 1.0, None, "z[0]", 3.0, *dims)
    assert not np.array_equal(np.asarray(edited), base)


def test_a_sessions_unpacked_uploads_are_deleted_when_it_ends(app, tmp_path):
    import tempfile

    from ganlab.inference.upload import unpack_upload
    from ganlab.ui import sessions
    from ganlab.ui.tabs import explore_actions as explore_tab

    client, zoo = app
    files = [str(zoo / "tiny" / "model.json"), str(zoo / "tiny" / "model.safetensors")]
    name = explore_tab.register_upload(files, session="visitor-1")
    folder = explore_tab._UPLOADS.get("visitor-1", name)
    assert (folder / "model.safetensors").is_file()
    assert explore_tab._UPLOADS.get("visitor-2", name) != folder  # another visitor never opens it

    class Closed:  # what Gradio hands demo.unload when the tab closes
        session_hash = "visitor-1"

    sessions.forget_session(Closed())
    assert not folder.exists() and explore_tab._UPLOADS.get("visitor-1", name) != folder
    before = set(Path(tempfile.gettempdir()).glob("ganlab-upload-*"))
    with pytest.raises(Exception, match="expected a .zip"):
        unpack_upload([str(tmp_path / "notes.txt")])
    assert set(Path(tempfile.gettempdir()).glob("ganlab-upload-*")) == before  # a refused upload leaves nothing
