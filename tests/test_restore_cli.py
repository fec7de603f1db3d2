"""The ``restore`` contract: one PNG per input with its stem, x4 size for SR models, only the
hole changed when inpainting, bad masks refused with one line naming the file."""

from __future__ import annotations

import numpy as np
import pytest
from PIL import Image

from ganlab.cli import main
from ganlab.families.restore.config import RestoreConfig
from ganlab.families.restore.state import save_restore
from ganlab.families.restore.trainer import RestoreTrainer

TINY = dict(dataset="digits", device="cpu", ngf=4, ndf=4, depth=2, n_blocks=1, batch_size=2, holdout=4, steps=2)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    root = tmp_path_factory.mktemp("restore-runs")
    for model, task in (("pix2pix", "inpaint"), ("srresnet", "sr4"), ("pix2pix", "denoise")):
        trainer = RestoreTrainer(RestoreConfig(model=model, task=task, **TINY))
        trainer.run(2)
        save_restore(trainer, root / task)
    return root


@pytest.fixture()
def photo(tmp_path):
    path = tmp_path / "in" / "digit.png"
    path.parent.mkdir()
    rng = np.random.default_rng(0)
    Image.fromarray(rng.integers(0, 256, (20, 24), dtype=np.uint8), "L").save(path)
    return path


def _mask(tmp_path, size=(24, 20), box=(4, 4, 12, 10)) -> str:
    array = np.zeros(size[::-1], dtype=np.uint8)
    if box:
        array[box[1] : box[3], box[0] : box[2]] = 255
    path = tmp_path / "mask.png"
    Image.fromarray(array, "L").save(path)
    return str(path)


def test_inpaint_changes_only_the_hole(runs, photo, tmp_path):
    out = tmp_path / "out"
    assert main(["restore", str(runs / "inpaint"), str(photo), "--out", str(out), "--mask", _mask(tmp_path)]) == 0
    before = np.asarray(Image.open(photo))
    after = np.asarray(Image.open(out / "digit.png"))
    assert after.shape == before.shape
    hole = np.zeros_like(before, dtype=bool)
    hole[4:10, 4:12] = True
    assert np.array_equal(after[~hole], before[~hole])
    assert not np.array_equal(after[hole], before[hole])


def test_sr4_output_is_four_times_the_input(runs, photo, tmp_path):
    assert main(["restore", str(runs / "sr4"), str(photo), "--out", str(tmp_path / "o")]) == 0
    assert Image.open(tmp_path / "o" / "digit.png").size == (96, 80)


def test_denoise_keeps_the_size_and_takes_a_sigma(runs, photo, tmp_path):
    assert main(["restore", str(runs / "denoise"), str(photo), "--out", str(tmp_path / "o"), "--sigma", "0.2"]) == 0
    assert Image.open(tmp_path / "o" / "digit.png").size == (24, 20)


@pytest.mark.parametrize(
    "kind,needle",
    [
        ("size", "the mask is 10x10 but the image is 24x20"),
        ("black", "all black"),
        ("garbage", "not a readable image"),
        ("none", "give --mask"),
    ],
)
def test_bad_masks_are_refused_clearly(runs, photo, tmp_path, capsys, kind, needle):
    extra = []
    if kind == "size":
        extra = ["--mask", _mask(tmp_path, size=(10, 10), box=(1, 1, 4, 4))]
    elif kind == "black":
        extra = ["--mask", _mask(tmp_path, box=None)]
    elif kind == "garbage":
        bad = tmp_path / "mask.png"
        bad.write_bytes(b"not a png at all")
        extra = ["--mask", str(bad)]
    out = tmp_path / "out"
    assert main(["restore", str(runs / "inpaint"), str(photo), "--out", str(out), *extra]) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err and len(err.strip().splitlines()) == 1
    if kind != "none":
        assert "mask.png" in err
    assert not (out / "digit.png").exists()


def test_a_non_restoration_checkpoint_is_refused(tmp_path, capsys, photo):
    assert main(["restore", "digits", str(photo), "--out", str(tmp_path / "o")]) == 2
    assert "not a restoration model" in capsys.readouterr().err


# -- export and eval ---------------------------------------------------------------------------


def test_export_keeps_only_the_generator_and_restores_the_same(runs, photo, tmp_path, capsys):
    shipped = tmp_path / "shipped"
    assert main(["export", str(runs / "sr4"), "--out", str(shipped)]) == 0
    from ganlab.engine.checkpoints import load_checkpoint

    ckpt = load_checkpoint(shipped)
    assert ckpt.meta["inference_only"] and ckpt.meta["task"] == "sr4"
    assert ckpt.tensors and all(k.startswith("G.") for k in ckpt.tensors)
    for folder, out in ((runs / "sr4", "a"), (shipped, "b")):
        assert main(["restore", str(folder), str(photo), "--out", str(tmp_path / out)]) == 0
    assert np.array_equal(
        np.asarray(Image.open(tmp_path / "a" / "digit.png")), np.asarray(Image.open(tmp_path / "b" / "digit.png"))
    )
    assert main(["export", str(shipped), "--out", str(runs / "sr4")]) == 2  # never over a training run
    assert "already holds a training run" in capsys.readouterr().err


@pytest.mark.parametrize(
    "task, baseline", [("inpaint", "masked input"), ("sr4", "bicubic x4"), ("denoise", "noisy input")]
)
def test_eval_scores_the_test_split_against_the_trivial_baseline(runs, task, baseline, capsys):
    import json

    from ganlab.metrics.splits import load_split

    assert (
        main(
            ["eval", str(runs / task), "--json", "--sigma", "0.2"]
            if task == "denoise"
            else ["eval", str(runs / task), "--json"]
        )
        == 0
    )
    report = json.loads(capsys.readouterr().out)
    assert report["kind"] == "restore" and report["baseline_name"] == baseline
    assert report["n"] == len(load_split("digits", "test").data)  # every held-out image, no train image
    for key in ("restored", "baseline"):
        assert 0 < report[key]["psnr"] < 100 and 0 < report[key]["ssim"] <= 1
    acc = report["classifier_accuracy"]
    assert acc["original"] > 0.8 and acc["degraded"] < acc["original"]  # the degradation costs the reader
    if task == "denoise":
        assert "sigma 0.2" in report["degradation"]


def test_eval_refuses_a_sigma_for_a_generator_and_out_of_range(runs, capsys):
    assert main(["eval", "digits", "--sigma", "0.3"]) == 2
    assert "only restoration" in capsys.readouterr().err
    assert main(["eval", str(runs / "denoise"), "--sigma", "1.5"]) == 2
    assert "--sigma: must be in [0, 1]" in capsys.readouterr().err
