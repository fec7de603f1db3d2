"""Every shipped restoration model under pretrained/ has its card, recipe and test-split figures,
and still beats the trivial baseline on held-out images (bicubic, the noisy input, the masked input).

Parametrized over the catalog's shipped ``restore`` checkpoints, so a newly shipped one is covered.
"""

from __future__ import annotations

import pytest

from ganlab.inference.catalog import list_checkpoints
from ganlab.engine.checkpoints import read_meta
from ganlab.metrics.restore_report import evaluate_restorer
from shared_data import shared_data_root

SHIPPED = {e.name: e.path for e in list_checkpoints("restore") if e.shipped}
DATA_FOLDERS = {"mnist": "MNIST", "fashion": "FashionMNIST", "summer2winter": "summer2winter_yosemite"}
ISSUE_NAMES = ("photo-sr4", "photo-sr4-psnr", "mnist-inpaint", "fashion-denoise")


def test_the_four_issue_models_ship():
    missing = [name for name in ISSUE_NAMES if name not in SHIPPED]
    assert not missing, f"not in pretrained/: {missing}"


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_card_recipe_and_recorded_figures(name):
    meta = read_meta(SHIPPED[name])
    assert meta["inference_only"] and meta.get("card") and meta["recipe"].endswith(name)
    report = meta["metrics"]["eval"]
    assert report["restored"]["psnr"] > report["baseline"]["psnr"], report
    assert report["n"] >= 500  # the whole test split, not a handful


@pytest.mark.parametrize("name", sorted(SHIPPED))
def test_beats_the_baseline_on_held_out_images_now(name):
    dataset = read_meta(SHIPPED[name])["config"]["dataset"]
    root = shared_data_root(DATA_FOLDERS.get(dataset, dataset))
    report = evaluate_restorer(name, n=24 if dataset == "summer2winter" else 256, data_root=str(root))
    assert report["restored"]["psnr"] > report["baseline"]["psnr"], (
        report
    )  # the SRGAN by ~0.16 dB, the rest by far more
    assert report["restored"]["ssim"] > report["baseline"]["ssim"], report
