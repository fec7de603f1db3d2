"""Feature metrics: hand-computed values on small Gaussians, and the ordering a user relies on
(a collapsed generator scores worse than a healthy one)."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from ganlab.metrics import features as fm
from ganlab.metrics.classifier import classifier_for


def gaussian(n, mean, std, dim=4, seed=0):
    g = torch.Generator().manual_seed(seed)
    return torch.randn(n, dim, generator=g, dtype=torch.float64) * std + mean


def test_frechet_distance_matches_closed_form_in_1d():
    # 1D: FD = (m1 - m2)^2 + (s1 - s2)^2 for the fitted Gaussians
    a = gaussian(4000, 0.0, 1.0, dim=1, seed=1)
    b = gaussian(4000, 2.0, 3.0, dim=1, seed=2)
    m1, m2 = float(a.mean()), float(b.mean())
    s1, s2 = float(a.std()), float(b.std())  # unbiased, like np.cov
    expected = (m1 - m2) ** 2 + (s1 - s2) ** 2
    assert fm.frechet_distance(a, b) == pytest.approx(expected, rel=1e-9)
    assert expected == pytest.approx(4 + 4, rel=0.1)


def test_frechet_distance_from_stats_diagonal_covariances():
    mu1, mu2 = np.array([0.0, 1.0]), np.array([1.0, 1.0])
    s1, s2 = np.diag([1.0, 4.0]), np.diag([9.0, 1.0])
    # sum over dims of (dm^2 + (sqrt(v1) - sqrt(v2))^2) = 1 + (1-3)^2 + (2-1)^2
    assert fm.frechet_distance_from_stats(mu1, s1, mu2, s2) == pytest.approx(1 + 4 + 1)
    assert fm.frechet_distance_from_stats(mu1, s1, mu1, s1) == pytest.approx(0, abs=1e-10)


def test_frechet_distance_agrees_with_pytorch_fids_scipy_formula():
    """pytorch-fid's calculate_frechet_distance (scipy sqrtm of S1 S2) on the same statistics."""
    from scipy import linalg

    rng = np.random.default_rng(0)
    a, b = rng.normal(size=(500, 32)), rng.normal(size=(500, 32)) @ rng.normal(size=(32, 32)) * 0.3 + 0.2
    mu1, mu2 = a.mean(0), b.mean(0)
    s1, s2 = np.cov(a, rowvar=False), np.cov(b, rowvar=False)
    covmean, _ = linalg.sqrtm(s1.dot(s2), disp=False)
    reference = (mu1 - mu2) @ (mu1 - mu2) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean.real)
    assert fm.frechet_distance(a, b) == pytest.approx(reference, rel=1e-6)


def test_mmd_unbiased_matches_a_hand_loop():
    x = gaussian(6, 0.0, 1.0, dim=3, seed=3).numpy()
    y = gaussian(5, 0.5, 1.0, dim=3, seed=4).numpy()
    k = lambda u, v: (u @ v / 3 + 1) ** 3
    xx = sum(k(x[i], x[j]) for i in range(6) for j in range(6) if i != j) / (6 * 5)
    yy = sum(k(y[i], y[j]) for i in range(5) for j in range(5) if i != j) / (5 * 4)
    xy = sum(k(x[i], y[j]) for i in range(6) for j in range(5)) / 30
    assert fm.mmd2_unbiased(x, y) == pytest.approx(xx + yy - 2 * xy, rel=1e-10)


def test_kid_is_near_zero_for_one_distribution_and_grows_with_the_shift():
    a, b = gaussian(1000, 0.0, 1.0, seed=5), gaussian(1000, 0.0, 1.0, seed=6)
    same, _ = fm.kid(a, b, subsets=20, subset_size=500)
    shifted, _ = fm.kid(a, gaussian(1000, 1.0, 1.0, seed=7), subsets=20, subset_size=500)
    assert abs(same) < 0.01
    assert shifted > 0.1 > 10 * abs(same)


def test_inception_score_extremes():
    confident_even = torch.eye(10).repeat(50, 1)  # every class, each sample certain
    assert fm.inception_score(confident_even, splits=5)[0] == pytest.approx(10, rel=1e-6)
    one_class = torch.zeros(500, 10)
    one_class[:, 3] = 1
    assert fm.inception_score(one_class, splits=5)[0] == pytest.approx(1, rel=1e-6)
    uniform = torch.full((500, 10), 0.1)
    assert fm.inception_score(uniform, splits=5)[0] == pytest.approx(1, rel=1e-6)


def test_precision_recall_of_identical_and_disjoint_sets():
    a = gaussian(300, 0.0, 1.0, seed=8)
    assert fm.precision_recall(a, a.clone(), k=3) == (1.0, 1.0)
    far = gaussian(300, 50.0, 1.0, seed=9)
    assert fm.precision_recall(a, far, k=3) == (0.0, 0.0)


def test_collapsed_generator_ranks_worse_than_a_healthy_one():
    """A 'generator' that puts everything in one of four modes: precision stays high, recall and
    every distance get worse than a healthy one drawing from all four."""
    centres = torch.tensor([[6.0, 0, 0, 0], [0, 6.0, 0, 0], [0, 0, 6.0, 0], [0, 0, 0, 6.0]], dtype=torch.float64)

    def mixture(n, which, seed):
        g = torch.Generator().manual_seed(seed)
        idx = torch.tensor(which)[torch.randint(0, len(which), (n,), generator=g)]
        return centres[idx] + torch.randn(n, 4, generator=g, dtype=torch.float64) * 0.5

    real = mixture(800, [0, 1, 2, 3], 10)
    healthy = mixture(800, [0, 1, 2, 3], 11)
    collapsed = mixture(800, [2], 12)
    h = fm.feature_metrics(real, healthy, kid_subsets=10, kid_subset_size=400)
    c = fm.feature_metrics(real, collapsed, kid_subsets=10, kid_subset_size=400)
    assert c["fd"] > h["fd"] + 10
    assert c["kid"] > h["kid"]
    assert c["recall"] < 0.4 < 0.9 < h["recall"]
    assert c["precision"] > 0.9 and h["precision"] > 0.9

    probs = lambda x: torch.softmax(4 * (x @ centres.T) / 6, dim=1)  # a 'classifier' of the 4 modes
    assert fm.inception_score(probs(healthy))[0] > 3 > 1.5 > fm.inception_score(probs(collapsed))[0]
    hist_h, hist_c = fm.class_histogram(probs(healthy)), fm.class_histogram(probs(collapsed))
    assert hist_h.classes_present == 4 and hist_c.classes_present == 1
    assert hist_c.kl_to_uniform == pytest.approx(math.log(4), rel=1e-6)
    assert hist_h.kl_to_uniform < 0.05


def test_metrics_reject_bad_input_with_a_message():
    with pytest.raises(ValueError, match="at least"):
        fm.frechet_distance(torch.zeros(1, 3), torch.zeros(5, 3))
    with pytest.raises(ValueError, match="feature sizes differ"):
        fm.kid(torch.zeros(5, 3), torch.zeros(5, 4))
    with pytest.raises(ValueError, match="NaN"):
        fm.frechet_distance(torch.full((5, 3), float("nan")), torch.zeros(5, 3))


HELD_OUT = 2000  # images of the real test split measured per set: a few seconds on a CPU


@pytest.mark.parametrize(
    "name, minimum, folder",
    [
        ("digits", 0.95, None),
        ("mnist", 0.97, "MNIST"),
        ("fashion", 0.85, "FashionMNIST"),
        ("summer2winter", 0.8, "summer2winter_yosemite"),  # the season classifier: summer or winter photo
    ],
)
def test_shipped_classifier_is_small_and_accurate_on_held_out_images(name, minimum, folder):
    """Accuracy is measured here on images the classifier never trained on, not read from its JSON
    (digits' split ships with scikit-learn; MNIST and Fashion need $GANLAB_DATA)."""
    from ganlab.metrics.splits import load_split, subsample

    clf = classifier_for(name)
    assert clf is not None, f"pretrained/_classifiers/{name} is missing"
    n_params = sum(p.numel() for p in clf.model.parameters())
    assert n_params * 4 < 1_000_000
    root = None
    if folder is not None:
        from shared_data import shared_data_root

        root = str(shared_data_root(folder))
    test = load_split(name, "test", root)
    order = subsample(torch.arange(len(test.data)), HELD_OUT, seed=1)
    acc = float((clf.predict(test.data[order]) == test.labels[order]).double().mean())
    assert acc >= minimum, f"{name}: {acc:.3f} on {len(order)} held-out images"
    assert acc == pytest.approx(clf.meta["test_accuracy"], abs=0.02)  # and its model card tells the truth
    feats, probs = clf.features_and_probs(test.data[:7])
    assert feats.shape == (7, clf.model.args["feature_dim"]) and probs.shape == (7, len(test.class_names))
    assert torch.allclose(probs.sum(1), torch.ones(7), atol=1e-5)


def test_classifier_for_unknown_set_is_none():
    assert classifier_for("cifar10") is None
    assert classifier_for("ring8") is None


def test_eval_cli_prints_image_metrics_beside_real_vs_real(tmp_path, capsys):
    """`python -m ganlab eval` on a tiny digits generator: offline (digits ship with scikit-learn)."""
    import json

    from ganlab.cli import main
    from ganlab.families.gan.config import TrainConfig
    from ganlab.families.gan.state import save_trainer
    from ganlab.families.gan.trainer import Trainer

    trainer = Trainer(
        TrainConfig(
            dataset="digits", model="dcgan", image_size=16, width=8, z_dim=8, batch_size=16, steps=1, device="cpu"
        )
    )
    trainer.run(1)
    save_trainer(trainer, tmp_path / "tiny", inference_only=True)
    assert main(["eval", str(tmp_path / "tiny"), "--n", "300", "--json"]) == 0
    result = json.loads(capsys.readouterr().out)
    gen, ref = result["generated"], result["real_vs_real"]
    assert result["kind"] == "image" and result["reference"].startswith("held-out")
    assert ref["fd"] < gen["fd"] and ref["recall"] > gen["recall"]  # an untrained G is far from real
    assert len(result["classes"]["shares"]) == 10
    assert main(["eval", str(tmp_path / "tiny"), "--n", "100"]) == 0
    table = capsys.readouterr().out
    assert "real vs real" in table and "FD" in table and "Inception" in table


def test_eval_cli_scores_mode_coverage_of_a_2d_model(capsys, tmp_path):
    from ganlab.cli import main

    assert main(["eval", "no-such-checkpoint"]) == 2
    assert "not found" in capsys.readouterr().err
    from ganlab.families.gan.config import TrainConfig
    from ganlab.families.gan.state import save_trainer
    from ganlab.families.gan.trainer import Trainer

    trainer = Trainer(TrainConfig(dataset="ring8", model="mlp", z_dim=2, steps=1, device="cpu"))
    save_trainer(trainer, tmp_path / "ring", inference_only=True)
    assert main(["eval", str(tmp_path / "ring")]) == 0
    out = capsys.readouterr().out
    assert "modes captured" in out and "/8" in out


def test_inception_metrics_explain_missing_weights(monkeypatch, tmp_path):
    from ganlab.metrics import inception

    monkeypatch.setenv(inception.ENV, str(tmp_path / "absent.pth"))
    out = inception.inception_metrics(torch.zeros(2, 1, 16, 16), torch.zeros(2, 1, 16, 16))
    assert set(out) == {"inception"} and inception.ENV in out["inception"]


def test_inception_features_match_torchvisions_own_forward(monkeypatch, tmp_path):
    """With a weights file present, the pool features are exactly torchvision Inception-v3's."""
    from torchvision.models import inception_v3

    from ganlab.metrics import inception

    torch.manual_seed(0)
    reference = inception_v3(weights=None, aux_logits=True, init_weights=False, transform_input=False).eval()
    path = tmp_path / "inception_v3_google-test.pth"
    torch.save(reference.state_dict(), path)
    monkeypatch.setenv(inception.ENV, str(path))
    assert inception.find_weights() == path
    x = torch.rand(2, 1, 28, 28) * 2 - 1
    feats, logits = inception.InceptionFeatures(path)(x)
    reference.fc, big = (
        torch.nn.Identity(),
        torch.nn.functional.interpolate(x.expand(-1, 3, -1, -1), size=(299, 299), mode="bilinear", align_corners=False),
    )
    with torch.no_grad():
        assert torch.allclose(feats, reference(big), atol=1e-4)
    assert feats.shape == (2, 2048) and logits.shape == (2, 1000)


def test_inception_metrics_score_with_the_network_when_weights_exist(monkeypatch, tmp_path):
    """The FID/IS plumbing, with a small stand-in network (the real one is checked above)."""
    from ganlab.metrics import inception

    class Standin(torch.nn.Module):
        def __init__(self, weights):
            super().__init__()

        def forward(self, x):
            feats = x.flatten(1)[:, :6].double()
            return feats, feats[:, :3] * 10

    weights = tmp_path / "inception_v3_google-test.pth"
    weights.write_bytes(b"stand-in")
    monkeypatch.setenv(inception.ENV, str(weights))
    monkeypatch.setattr(inception, "InceptionFeatures", Standin)
    real = torch.randn(200, 1, 4, 4)
    same = inception.inception_metrics(real, real.flip(0))
    moved = inception.inception_metrics(real, real + 1)
    assert same["fid"] == pytest.approx(0, abs=1e-6) and moved["fid"] == pytest.approx(6, rel=1e-6)
    assert same["inception_weights"] == str(weights) and same["is"] > 1


def test_report_scores_an_mnist_generator_against_the_real_test_split(tmp_path):
    from shared_data import shared_data_root

    root = shared_data_root("MNIST")
    from ganlab.engine.checkpoints import save_checkpoint
    from ganlab.metrics.report import evaluate_checkpoint
    from ganlab.families.gan.dcgan import DCGANGenerator

    g = DCGANGenerator(z_dim=8, image_size=28, channels=1, width=8)
    save_checkpoint(
        tmp_path / "m",
        {f"G.{k}": v for k, v in g.state_dict().items()},
        {
            "kind": "gan",
            "generator": {"arch": g.arch, "args": g.args},
            "dataset": {"name": "mnist", "kind": "image", "shape": [1, 28, 28]},
        },
    )
    result = evaluate_checkpoint(tmp_path / "m", n=200, data_root=str(root))
    assert result["reference"] == "test split" and result["real_vs_real"]["n"] == 200
    assert result["generated"]["fd"] > 5 * result["real_vs_real"]["fd"]  # noise is not MNIST
    assert result["real_vs_real"]["is_score"] > 5
