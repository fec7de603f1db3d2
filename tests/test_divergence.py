"""KL and JS divergence by grid: zero for identical samples, closed forms, bounds, live in a run."""

from __future__ import annotations

import math
import time

import numpy as np
import pytest

from ganlab.metrics import divergence as dv

# Uniform P on [0,1]x[0,1] and uniform Q on [0,2]x[0,1], on a grid over [0,2]x[0,1] whose
# middle bin edge sits at x = 1, so binning loses nothing. Densities: p = 1 on the left half,
# q = 1/2 everywhere, m = (p + q)/2 = 3/4 left, 1/4 right. KL(P||Q) = ln(1 / (1/2)) = ln 2;
# KL(P||M) = ln(1 / (3/4)) = ln(4/3); KL(Q||M) = 1/2 ln((1/2)/(3/4)) + 1/2 ln((1/2)/(1/4))
# = 1/2 ln(4/3); JS = (ln(4/3) + 1/2 ln(4/3)) / 2 = 3/4 ln(4/3).
EXTENT = (0.0, 2.0, 0.0, 1.0)
BINS = 32
CELLS = BINS * BINS + 1  # the grid plus the outside cell


def _uniform_cells() -> tuple[np.ndarray, np.ndarray]:
    """Exact cell probabilities of P and Q on the 32 x 32 grid (row-major: x is the first axis)."""
    p = np.zeros((BINS, BINS))
    p[: BINS // 2] = 1.0 / (BINS * BINS // 2)
    q = np.full((BINS, BINS), 1.0 / (BINS * BINS))
    return np.append(p.ravel(), 0.0), np.append(q.ravel(), 0.0)


def _smoothed_closed_form(lam: float) -> tuple[float, float]:
    """The same two distributions after the documented smoothing, by hand (no library code)."""
    u = lam / CELLS
    a = (1 - lam) / 512 + u  # P on its 512 cells; u on the other 512 and outside
    b = (1 - lam) / 1024 + u  # Q on every grid cell; u outside
    kl = 512 * a * math.log(a / b) + 512 * u * math.log(u / b)
    m_left, m_right = (a + b) / 2, (u + b) / 2
    kl_pm = 512 * a * math.log(a / m_left) + 512 * u * math.log(u / m_right)
    kl_qm = 512 * b * math.log(b / m_left) + 512 * b * math.log(b / m_right)
    return kl, (kl_pm + kl_qm) / 2


def test_exact_cells_give_the_continuous_closed_form_without_smoothing():
    p, q = _uniform_cells()
    got = dv.divergences(p, q, smoothing=0.0)
    assert got.kl == pytest.approx(math.log(2), abs=1e-12)
    assert got.js == pytest.approx(0.75 * math.log(4 / 3), abs=1e-12)


def test_samples_match_the_smoothed_closed_form():
    rng = np.random.default_rng(0)
    n = 200_000
    real = rng.uniform([0, 0], [1, 1], size=(n, 2))
    fake = rng.uniform([0, 0], [2, 1], size=(n, 2))
    got = dv.grid_divergence(real, fake, EXTENT, bins=BINS)
    kl, js = _smoothed_closed_form(dv.SMOOTHING)
    assert abs(kl - math.log(2)) > 0.02  # smoothing visibly moves KL: the test can tell them apart
    # The plug-in estimate is biased by about (cells - 1) / (2 n) = 1023 / 400,000 = 0.0026 nats
    # for each histogram; 0.01 is about 3x that and still well under the 0.03 smoothing shift.
    assert got.kl == pytest.approx(kl, abs=0.01)
    assert got.js == pytest.approx(js, abs=0.01)


def test_identical_samples_give_zero_and_js_is_symmetric_and_bounded():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(5000, 2))
    b = rng.normal(loc=0.7, size=(3000, 2))
    extent = (-3.0, 3.0, -3.0, 3.0)
    same = dv.grid_divergence(a, a.copy(), extent)
    assert same.kl == 0.0 and same.js == 0.0
    ab, ba = dv.grid_divergence(a, b, extent), dv.grid_divergence(b, a, extent)
    assert ab.js == pytest.approx(ba.js, abs=1e-12) and 0 < ab.js <= dv.LN2
    assert ab.kl > 0 and ab.kl != pytest.approx(ba.kl, abs=1e-3)  # KL is not symmetric


def test_disjoint_supports_give_js_near_ln2_and_points_outside_are_counted():
    rng = np.random.default_rng(2)
    real = rng.uniform(-1, 0, size=(4000, 2))
    fake = rng.uniform(0.01, 1, size=(4000, 2))
    extent = (-1.0, 1.0, -1.0, 1.0)
    got = dv.grid_divergence(real, fake, extent)
    assert dv.LN2 - 0.05 < got.js <= dv.LN2  # smoothing keeps it just under ln 2
    far = dv.grid_divergence(real, fake + 100.0, extent)  # every G sample outside the view
    assert dv.LN2 - 0.05 < far.js <= dv.LN2  # counted in the outside cell, not dropped
    counts = dv.histogram(np.array([[5.0, 0.0], [np.nan, 0.0], [1.0, 1.0], [-1.0, -1.0]]), extent, bins=4)
    assert counts.sum() == 4 and counts[-1] == 2  # outside and non-finite: the last cell
    assert counts[15] == 1 and counts[0] == 1  # the upper edge is in the last bin, the lower in the first


def test_one_dimensional_points_and_a_discretised_gaussian_closed_form():
    # N(0,1) vs N(1,1): KL = (mu difference)^2 / 2 = 0.5. Binned on 64 bins over [-6, 7]
    # the discrete KL is a little below 0.5 (binning can only lose information) by O(width^2).
    edges = np.linspace(-6.0, 7.0, 65)
    cdf = np.vectorize(lambda x, mu: 0.5 * (1 + math.erf((x - mu) / math.sqrt(2))))
    p_cells = np.append(np.diff(cdf(edges, 0.0)), 1 - np.diff(cdf(edges[[0, -1]], 0.0))[0])
    q_cells = np.append(np.diff(cdf(edges, 1.0)), 1 - np.diff(cdf(edges[[0, -1]], 1.0))[0])
    exact = dv.divergences(p_cells, q_cells, smoothing=0.0)
    assert 0.49 < exact.kl <= 0.5
    rng = np.random.default_rng(3)
    real, fake = rng.normal(0, 1, (200_000, 1)), rng.normal(1, 1, (200_000, 1))
    assert dv.histogram(real, (-6.0, 7.0), None).shape == (65,)  # 1D: 64 bins + outside
    sampled = dv.grid_divergence(real, fake, (-6.0, 7.0, 0.0, 1.0))  # a 2D-style extent works too
    smoothed = dv.divergences(p_cells, q_cells)
    assert sampled.kl == pytest.approx(smoothed.kl, abs=0.01)
    assert sampled.js == pytest.approx(smoothed.js, abs=0.01)


def test_bad_extent_is_refused_by_name():
    with pytest.raises(ValueError, match="hi > lo"):
        dv.histogram(np.zeros((3, 2)), (1.0, 0.0, 0.0, 1.0))


# -- live in a run --------------------------------------------------------------------------


def _run(cfg, steps):
    from ganlab.families import FAMILIES
    from ganlab.engine.background import DeviceSlots

    job = FAMILIES["gan"].start(cfg.updated(steps=steps), slots=DeviceSlots())
    deadline = time.monotonic() + 60
    while job.alive and time.monotonic() < deadline:
        time.sleep(0.02)
    return job


def test_a_ring8_run_reports_kl_and_js_by_grid_and_an_image_run_reports_null():
    from ganlab.families.gan.presets import recommended_config
    from ganlab.ui import views

    cfg = recommended_config("ring8").updated(device="cpu", width=32, depth=2, batch_size=64, seed=0)
    job = _run(cfg, 30)
    snap = job.snapshot
    status = views.status_dict(snap)
    assert snap.divergence and snap.divergence[-1][0] == snap.step == 30
    assert status["kl_grid"] == snap.divergence[-1][1] and 0 < status["kl_grid"]
    assert 0 < status["js_grid"] <= dv.LN2
    frame = views.divergence_frame(snap)
    assert set(frame["series"]) == set(views.colour_map("divergence"))
    # an untrained ring8 G is far from the ring: JS is a sizeable share of ln 2
    assert snap.divergence[0][2] > 0.2

    digits = recommended_config("digits").updated(device="cpu", width=8, z_dim=8, batch_size=16)
    status = views.status_dict(_run(digits, 2).snapshot)
    assert status["kl_grid"] is None and status["js_grid"] is None
    assert views.divergence_frame(_run(digits, 1).snapshot) is None


def test_measuring_does_not_touch_the_trainers_random_stream():
    """A watched run (divergence measured at every snapshot) trains exactly as a headless one."""
    from ganlab.families.gan.presets import recommended_config
    from ganlab.families.gan.trainer import Trainer

    cfg = recommended_config("ring8").updated(device="cpu", width=16, depth=2, batch_size=32, seed=4)
    job = _run(cfg, 20)
    assert len(job.snapshot.divergence) >= 2  # measured at the start and at least once more
    headless = Trainer(cfg.updated(steps=20)).run(20)
    assert [round(s.d_loss, 6) for s in headless] == [round(float(v), 6) for v in job.history.view()[:, 1]]
