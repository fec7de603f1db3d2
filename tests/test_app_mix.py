"""The Style mixing tab answers through gradio_client: ``/mix`` (checkpoint, rows, cols, crossover, psi).

Runs against a Blocks holding just this tab and a temporary zoo: a tiny StyleGAN trained for two
steps by ``python -m ganlab train`` and the shipped plain-GAN ``digits`` (for the refusal), so it
needs no data set download and no GPU.
"""

from __future__ import annotations

import shutil

import numpy as np
import pytest
from PIL import Image

gr = pytest.importorskip("gradio")
from gradio_client import Client  # noqa: E402
from gradio_client.exceptions import AppError  # noqa: E402

from ganlab.cli import main  # noqa: E402
from ganlab.families.stylegan.mixing import cell_box, describe_crossover  # noqa: E402
from ganlab.paths import pretrained_dir  # noqa: E402
from style_fixtures import train_tiny_style  # noqa: E402

SIZE, LAYERS = 16, 5  # digits are 16 px: 5 style layers (coarse 0 | middle 1-2 | fine 3-4)


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    zoo = tmp_path_factory.mktemp("mixzoo")
    assert train_tiny_style(str(zoo / "style"), 2) == 0
    shutil.copytree(pretrained_dir() / "digits", zoo / "digits")  # a plain GAN: refused by name
    mp = pytest.MonkeyPatch()
    mp.setenv("GANLAB_PRETRAINED", str(zoo))
    from ganlab.ui.tabs.mix import build_mix_tab

    with gr.Blocks() as demo:
        with gr.Tab("Style mixing"):
            parts = build_mix_tab()
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    client = Client(demo.local_url, verbose=False)
    yield client, zoo, parts
    client.close()
    demo.close()
    mp.undo()


def _grid(client, rows="1,2,3", cols="4,5", crossover=1, psi=1.0) -> np.ndarray:
    return np.asarray(Image.open(client.predict("style", rows, cols, crossover, psi, api_name="/mix")))


def _cell(picture: np.ndarray, row: int, col: int) -> np.ndarray:
    top, left, bottom, right = cell_box(SIZE, row, col)
    return picture[top:bottom, left:right]


def test_the_grid_has_one_cell_per_row_and_column_plus_the_edges(app):
    client, _, _ = app
    picture = _grid(client, "1,2,3", "4,5")
    cell, pad = 16 * 4, 2 * 4  # 16 px digits upscaled x4, 2 px padding scaled with them
    assert picture.shape == (4 * cell + 5 * pad, 3 * cell + 4 * pad, 3)  # (rows+1) x (cols+1)
    assert (_cell(picture, 0, 0) == 255).all()  # the blank corner
    assert not np.array_equal(_cell(picture, 1, 0), _cell(picture, 2, 0))  # different row sources


def test_crossover_zero_is_the_columns_and_the_last_layer_is_the_rows(app):
    client, _, _ = app
    none = _grid(client, "1,2,3", "4,5", crossover=0)
    every = _grid(client, "1,2,3", "4,5", crossover=LAYERS)
    for r in range(1, 4):
        for c in range(1, 3):
            assert np.array_equal(_cell(none, r, c), _cell(none, 0, c))  # the column image unchanged
            assert np.array_equal(_cell(every, r, c), _cell(every, r, 0))  # the row image unchanged
    middle = _grid(client, "1,2,3", "4,5", crossover=2)
    assert not np.array_equal(middle, none) and not np.array_equal(middle, every)


def test_the_tab_draws_the_same_picture_as_the_cli(app, tmp_path):
    client, zoo, _ = app
    out = tmp_path / "grid.png"
    assert (
        main(
            [
                "mix",
                str(zoo / "style"),
                "--rows",
                "7,8",
                "--cols",
                "1,2,3",
                "--crossover",
                "3",
                "--psi",
                "0.7",
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert np.array_equal(_grid(client, "7,8", "1,2,3", 3, 0.7), np.asarray(Image.open(out)))


@pytest.mark.parametrize(
    "args,needle",
    [
        (("digits", "1", "2", 1, 1.0), "digits is a gan checkpoint with no style layers"),
        (("nope", "1", "2", 1, 1.0), "unknown checkpoint 'nope'"),
        ((None, "1", "2", 1, 1.0), "choose a style checkpoint first"),
        (("style", "1,x", "2", 1, 1.0), "rows: must be comma-separated whole seeds"),
        (("style", "1", "", 1, 1.0), "cols: must be comma-separated whole seeds"),
        (("style", "1,2,3,4,5,6,7,8,9", "2", 1, 1.0), "rows: at most 8 seeds; got 9"),
        (("style", "1", "2", 6, 1.0), "crossover: must be in [0, 5]"),
        (("style", "1", "2", -1, 1.0), "crossover: must be in [0, 5]"),
        (("style", "1", "2", 1.5, 1.0), "crossover: must be in [0, 5], a whole number"),
        (("style", "1", "2", 1, 3.0), "psi: "),
    ],
)
def test_bad_input_gets_a_message_that_names_it(app, args, needle):
    client, _, _ = app
    with pytest.raises(AppError) as info:
        client.predict(*args, api_name="/mix")
    message = str(info.value)
    assert needle in message and "\n" not in message.strip()


def test_only_style_checkpoints_are_offered_and_the_caption_names_the_groups(app):
    from ganlab.ui.tabs import mix as tab

    assert tab.checkpoint_choices() == ["style"]
    assert tab.caption("style", 1) == (
        "**Crossover** after layer 1 of 5: coarse styles from the rows, middle+fine from the columns"
    )
    groups = {"coarse": (0, 1), "middle": (1, 3), "fine": (3, 5)}
    assert describe_crossover(groups, 5, 2) == (
        "after layer 2 of 5: coarse+part of middle styles from the rows, the rest of middle+fine from the columns"
    )
    assert "every style from the columns" in describe_crossover(groups, 5, 0)
    assert "every style from the rows" in describe_crossover(groups, 5, 5)


def test_with_no_style_checkpoint_the_tab_says_how_to_train_one(tmp_path, monkeypatch):
    monkeypatch.setenv("GANLAB_PRETRAINED", str(tmp_path / "empty"))
    monkeypatch.setenv("GANLAB_RUNS", str(tmp_path / "runs"))
    from ganlab.ui.tabs.mix import build_mix_tab

    with gr.Blocks():
        parts = build_mix_tab()
    assert parts["empty"].visible and "python -m ganlab train --dataset digits --model stylegan" in parts["empty"].value
    assert parts["checkpoint"].value is None and parts["grid"].value is None
    assert train_tiny_style(str(tmp_path / "runs" / "fresh"), 1) == 0
    from ganlab.ui.tabs.mix import refresh

    dropdown, empty = refresh(None)  # trained since the page opened: Refresh offers it
    assert dropdown["choices"] == ["runs/fresh"]
    assert dropdown["value"] == "runs/fresh" and empty["visible"] is False


def test_the_tab_opens_on_the_sharpest_shipped_style_model(tmp_path, monkeypatch):
    """With the shipped zoo the tab opens on 28 px mnist-style, not the 16 px digits model that
    sorts first; a saved run the user picked stays picked on Refresh."""
    from pathlib import Path

    from ganlab.ui.tabs import mix as tab

    monkeypatch.setenv("GANLAB_PRETRAINED", str(Path(__file__).resolve().parents[1] / "pretrained"))
    monkeypatch.setenv("GANLAB_RUNS", str(tmp_path / "runs"))

    shipped = tab.checkpoint_choices()
    assert {"digits-style", "mnist-style"} <= set(shipped) and shipped.index("digits-style") < shipped.index(
        "mnist-style"
    )
    assert tab.default_checkpoint(shipped) == "mnist-style"
    assert (
        tab.refresh(None)[0]["value"] == "mnist-style" and tab.refresh("fashion-style")[0]["value"] == "fashion-style"
    )
    assert tab.default_checkpoint(["runs/a", "runs/b"]) == "runs/a" and tab.default_checkpoint([]) is None
