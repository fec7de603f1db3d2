"""``eval`` on a CycleGAN (#17): the season classifier's labelled split, and the held-out report
(how many translated photos read as the target season, how close they come to real ones, and how
well the round trip returns) for a shipped model, a model without its inverse and a training run."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from cyclegan_fixtures import tiny_trainer
from ganlab.data.unpaired import load_unpaired
from ganlab.errors import GanLabError
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.state import save_cyclegan
from ganlab.families.cyclegan.trainer import CycleGANTrainer
from ganlab.metrics.splits import load_split
from ganlab.metrics.translation_report import evaluate_translator, format_translation_report
from shared_data import shared_data_root

ROOT = Path(__file__).resolve().parents[1]
SET = "summer2winter_yosemite"


def test_the_season_split_labels_each_photo_by_its_domain():
    root = shared_data_root(SET)
    test = load_split("summer2winter", "test", str(root), 32)
    summer = len(list((root / SET / "testA").iterdir()))
    winter = len(list((root / SET / "testB").iterdir()))
    assert test.class_names == ["summer", "winter"]
    assert len(test) == summer + winter and int((test.labels == 0).sum()) == summer
    assert test.data.shape[1:] == (3, 32, 32)
    assert -1.0 <= float(test.data.min()) < float(test.data.max()) <= 1.0


@pytest.mark.slow
def test_eval_scores_the_shipped_cyclegan_on_held_out_photos():
    root = shared_data_root(SET)
    proc = subprocess.run(
        [sys.executable, "-m", "ganlab", "eval", "summer2winter", "--n", "12", "--json", "--data-root", str(root)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert proc.returncode == 0, proc.stderr
    result = json.loads(proc.stdout)
    assert result["kind"] == "translation" and result["classifier"]["dataset"] == "summer2winter"
    (report,) = result["directions"]  # an exported model translates one way
    assert report["direction"] == "summer → winter" and report["n"] == 12
    assert 0.0 < report["cycle_l1"] < 0.25  # the round trip comes back close, not exactly
    share, fd = report["target_share"], report["fd"]
    assert share["translated"] > share["source_real"] + 0.2  # translating moves photos toward winter
    assert fd["translated"] < fd["source_real"]  # ... and closer to real winter photos
    assert fd["target_train"] < fd["source_real"]  # real winter is closer still: the floor
    assert set(report["checkerboard"]) == {"translated", "source_real"}
    assert all(value > 0 for value in report["checkerboard"].values())


def test_without_its_inverse_the_round_trip_is_reported_missing(tmp_path):
    root = shared_data_root(SET)
    alone = tmp_path / "zoo" / "summer2winter"  # no winter2summer beside it
    shutil.copytree(ROOT / "pretrained" / "summer2winter", alone)
    result = evaluate_translator(str(alone), n=10, data_root=str(root))
    assert result["directions"][0]["cycle_l1"] is None
    assert "n/a (no inverse)" in format_translation_report(result)


def test_a_training_run_is_scored_in_both_directions(tmp_path):
    root = shared_data_root(SET)
    cfg = CycleGANConfig(
        dataset="summer2winter", image_size=32, load_size=36, ngf=8, ndf=8, n_blocks=2, batch_size=2, steps=1
    )
    trainer = CycleGANTrainer(cfg, load_unpaired("summer2winter", str(root), 36, 32, max_images=8))
    trainer.run(1)
    save_cyclegan(trainer, tmp_path / "run")
    result = evaluate_translator(str(tmp_path / "run"), n=10, data_root=str(root))
    directions = [r["direction"] for r in result["directions"]]
    assert directions == ["summer → winter", "winter → summer"]
    assert all(r["cycle_l1"] is not None and r["n"] == 10 for r in result["directions"])


def test_a_cyclegan_of_other_photos_is_refused_by_name(tmp_path):
    trainer = tiny_trainer(tmp_path, steps=1)
    save_cyclegan(trainer, tmp_path / "run")
    with pytest.raises(GanLabError, match="no season classifier"):
        evaluate_translator(str(tmp_path / "run"), n=10)
