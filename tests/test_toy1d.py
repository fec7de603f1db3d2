"""1D data with the theory drawn in: exact pdfs, the KDE of G, the optimal discriminator D* and the
density chart, through the job, the renderer and the CLI."""

from __future__ import annotations

import csv
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.data import canonical_name, dataset_names, is_points_dataset, load_dataset
from ganlab.data.toy1d import TOY1D, is_1d
from ganlab.engine.background import DeviceSlots
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.probes1d import DensityProbe, line_extent
from ganlab.metrics.density import gaussian_kde, optimal_discriminator
from ganlab.render.density1d import density_view
from ganlab.render.views import render_frame, timelapse_gif

ROOT = Path(__file__).resolve().parents[1]


def _normal(x, mean=0.0, sigma=1.0):
    return np.exp(-0.5 * ((x - mean) / sigma) ** 2) / (sigma * np.sqrt(2 * np.pi))


@pytest.mark.parametrize("name", list(TOY1D))
def test_the_1d_sets_are_registered_and_their_pdfs_integrate_to_one(name):
    assert name in dataset_names() and is_points_dataset(name) and canonical_name(name.upper()) == name
    data = load_dataset(name)
    assert is_1d(data) and data.shape == (1,)
    xs = np.linspace(-8, 8, 160_001)
    mass = float(np.sum(data.density(xs)) * (xs[1] - xs[0]))
    assert mass == pytest.approx(1.0, abs=2e-3)
    samples = data.sample(20_000, torch.Generator().manual_seed(0))[0].numpy().ravel()
    # the sampler draws from that pdf: the histogram follows it
    hist, edges = np.histogram(samples, bins=40, range=(-3, 3), density=True)
    centres = (edges[:-1] + edges[1:]) / 2
    inside = (centres > -0.9) & (centres < 0.9) if name == "uniform1d" else slice(None)
    assert np.abs(hist - data.density(centres))[inside].max() < 0.1


def test_d_star_is_the_formula_and_one_half_where_the_densities_agree():
    xs = np.linspace(-6, 6, 601)
    p_data, p_g = _normal(xs, 1.0, 0.5), _normal(xs, -1.0, 1.0)
    d_star = optimal_discriminator(p_data, p_g)
    total = p_data + p_g
    known = total > 1e-3 * total.max()
    assert np.allclose(d_star[known], (p_data / total)[known])
    assert np.all(d_star[~known] == 0.5) and (~known).any()  # far from both: no evidence either way
    assert d_star[np.argmin(np.abs(xs - 1.0))] > 0.9  # where only real data lives D* says "real"
    assert np.allclose(optimal_discriminator(p_data, p_data), 0.5)  # the global optimum p_g = p_data


def test_the_kde_of_normal_samples_approaches_the_normal_pdf():
    xs = np.linspace(-4, 4, 201)
    errors = []
    for n in (200, 20_000):
        samples = np.random.default_rng(0).standard_normal(n)
        errors.append(np.abs(gaussian_kde(samples, xs) - _normal(xs)).max())
    assert errors[1] < 0.02 and errors[1] < errors[0] / 2
    area = float(np.sum(gaussian_kde(samples, xs)) * (xs[1] - xs[0]))
    assert area == pytest.approx(1.0, abs=0.01)


class _Identity(torch.nn.Module):
    """A "generator" that returns its noise: probed on samples of a distribution, p_g is that one's."""

    def forward(self, z):
        return z


class _LinearD(torch.nn.Module):
    """A linear D (N, 1) -> (N,) logits."""

    def __init__(self):
        super().__init__()
        self.inner = torch.nn.Linear(1, 1)

    def forward(self, x, labels=None):
        return self.inner(x).squeeze(1)


def test_the_probe_d_star_is_its_own_densities_formula_and_near_half_for_a_perfect_g():
    data = load_dataset("gauss1d")
    reference = data.sample(1024, torch.Generator().manual_seed(1))[0]
    fake = data.sample(4096, torch.Generator().manual_seed(2))[0]  # G = the data distribution
    view = DensityProbe(reference, data.density, fake)(_Identity(), _LinearD(), True)
    assert view.xs.shape == view.p_data.shape == view.p_g.shape == view.d_curve.shape == view.d_star.shape
    assert np.array_equal(view.d_star, optimal_discriminator(view.p_data, view.p_g))
    assert np.allclose(view.p_data, data.density(view.xs))  # the exact pdf, not an estimate
    bulk = view.p_data > 0.2 * view.p_data.max()
    assert np.abs(view.d_star[bulk] - 0.5).max() < 0.1
    assert view.extent == pytest.approx(line_extent(reference))
    assert np.all((view.d_curve >= 0) & (view.d_curve <= 1))


def _wait(predicate, timeout=30.0):
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached in time")
        time.sleep(0.02)


def test_a_1d_run_publishes_the_density_and_the_main_image_draws_it():
    from ganlab.families.gan.job import TrainingJob

    cfg = recommended_config("bimodal1d").updated(device="cpu", width=32, depth=2, steps=60, snapshot_every=10)
    job = TrainingJob(cfg, slots=DeviceSlots())
    job.start()
    try:
        _wait(lambda: not job.alive)
    finally:
        job.stop()
    snap = job.snapshot
    assert snap.state == "finished" and snap.points is None and snap.samples.shape == (1024, 1)
    view = snap.density
    assert view is not None and view.d_is_probability
    assert np.array_equal(view.d_star, optimal_discriminator(view.p_data, view.p_g))
    assert snap.coverage is not None and snap.coverage.modes_total == 2
    views = pytest.importorskip("ganlab.ui.views")  # needs pandas, as the app does
    image = views.main_image(snap)
    assert image.ndim == 3 and image.shape[2] == 3
    assert len(np.unique(image.reshape(-1, 3), axis=0)) > 10  # curves, fills and text, not blank
    frames = [frame for frame in job.frames if frame[1] is not None]
    assert frames and render_frame(frames[-1][1]).shape[0] == 320
    assert timelapse_gif(job.frames)[:3] == b"GIF"


def test_a_critic_curve_is_scaled_to_the_unit_interval_and_says_so():
    data = load_dataset("uniform1d")
    reference = data.sample(512, torch.Generator().manual_seed(0))[0]
    fake = 3 * torch.randn(4096, 1, generator=torch.Generator().manual_seed(1))
    view = DensityProbe(reference, data.density, fake)(_Identity(), _LinearD(), False)
    assert not view.d_is_probability
    assert view.d_curve.min() == pytest.approx(0.0) and view.d_curve.max() == pytest.approx(1.0)
    picture = density_view(view)
    assert picture.shape == (400, 640, 3)


@pytest.mark.slow
def test_the_cli_trains_a_1d_run_and_writes_the_density_chart(tmp_path):
    run = tmp_path / "bimodal"
    env = {"PYTHONPATH": str(ROOT), "OMP_NUM_THREADS": "1", "PATH": "/usr/bin:/bin"}
    cli = lambda *a: subprocess.run(
        [sys.executable, "-m", "ganlab", *a],
        cwd=ROOT,
        env=env,  # noqa: E731
        capture_output=True,
        text=True,
        timeout=300,
    )
    done = cli("train", "--dataset", "bimodal1d", "--steps", "40", "--width", "16", "--out", str(run), "--quiet")
    assert done.returncode == 0, done.stderr
    picture = Image.open(run / "samples.png")
    assert picture.size == (640, 400)  # the density chart, not a square 2D scatter
    assert len(set(picture.convert("RGB").getdata())) > 10
    out = tmp_path / "x.csv"
    assert cli("sample", str(run), "--n", "7", "--out", str(out)).returncode == 0
    rows = list(csv.reader(open(out)))
    assert rows[0] == ["x"] and len(rows) == 8 and float(rows[1][0]) == float(rows[1][0])
    evaluated = cli("eval", str(run))
    assert evaluated.returncode == 0 and "modes captured    " in evaluated.stdout
