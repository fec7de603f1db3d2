"""Every shipped checkpoint under pretrained/ loads and makes samples of the right shape and range.

Parametrized over ``list_pretrained()``, so a newly shipped model is covered
without touching this file; an empty list fails at collection (pytest.ini:
``empty_parameter_set_mark = fail_at_collect``), it never quietly tests nothing.
"""

from __future__ import annotations

import pytest
import torch

from conftest import require
from ganlab.inference.catalog import list_generators
from ganlab.engine.checkpoints import load_generator
from ganlab.paths import pretrained_dir
from ganlab.inference.sample import generate

SHIPPED = [e.name for e in list_generators() if e.shipped]  # every sampled kind; CycleGANs: test_cyclegan.py
CARD_KEYS = ("dataset", "objective", "generator", "step", "wall_time_s", "device", "metrics", "config")


def test_pretrained_folder_stays_small():
    total = sum(p.stat().st_size for p in pretrained_dir().rglob("*") if p.is_file())
    assert total < 40 * 2**20, f"pretrained/ is {total / 2**20:.1f} MB (limit 40 MB)"


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_samples_have_the_right_shape_and_range(name):
    g, ckpt = load_generator(name)
    meta = ckpt.meta
    missing = [k for k in CARD_KEYS if k not in meta]
    assert not missing, f"{name}: model card lacks {missing}"
    if meta.get("trained_pair"):  # the 2D pairs ship whole (G, D, optimizers): tests/test_pretrained_pairs.py
        assert meta.get("discriminator") and not meta.get("inference_only")
    else:
        assert meta.get("inference_only") and meta.get("discriminator") is None  # shipped = generator only
    dataset = meta["dataset"]
    x = generate(g, 16, seed=1)
    assert torch.isfinite(x).all()
    if dataset["kind"] == "points":
        assert x.shape == (16, 2)
        scale = torch.tensor(dataset["modes"]).abs().max() if dataset.get("modes") else 2.0  # the shapes: |x| < 2
        assert x.abs().max() < 3 * scale  # on the data's scale, not exploding
    else:
        assert x.shape == (16, *dataset["shape"])
        assert x.min() >= -1 and x.max() <= 1
        assert x.std() > 0.1  # not a blank canvas
        assert (x[0] - x[1]).abs().mean() > 0.01  # different seeds, different images
    if getattr(g, "num_classes", 0):
        labels = generate(g, 4, seed=1, label=g.num_classes - 1)
        assert labels.shape[0] == 4


@pytest.mark.parametrize("name", [n for n in SHIPPED if n in ("mnist", "fashion", "digits", "mnist-conditional")])
def test_shipped_image_models_cover_every_class(name):
    """A classifier finds all ten classes among 1,000 samples: no mode collapse shipped."""
    from ganlab.metrics.classifier import classifier_for
    from ganlab.metrics.features import class_histogram

    g, ckpt = load_generator(name)
    clf = classifier_for(ckpt.meta["dataset"]["name"])
    require(clf is not None, f"no shipped classifier for {name} under pretrained/_classifiers")
    hist = class_histogram(clf.probs(generate(g, 1000, seed=2)))
    assert hist.classes_present == 10, hist
    assert min(hist.shares) > 0.02, hist


def test_ring_checkpoint_covers_its_modes():
    assert "ring" in SHIPPED, "pretrained/ring is shipped; the 2D zoo model must be listed"
    from ganlab.metrics import mode_coverage

    g, ckpt = load_generator("ring")
    ds = ckpt.meta["dataset"]
    result = mode_coverage(generate(g, 2500, seed=3), torch.tensor(ds["modes"]), ds["sigma"])
    assert result.modes_captured == result.modes_total == 8
    assert result.high_quality > 0.7
