"""Pictures and signals of a live run: grids, GAN Lab's 2D views, GIFs, probes, health, plot tables."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.families.gan import health

from ganlab.families.gan import probes

from ganlab.render import views as viz
from ganlab.render.images import image_grid
from ganlab.families.gan.health import COL, HISTORY_COLUMNS, HealthInput
from ganlab.families.gan.mlp import MLPDiscriminator, MLPGenerator
from ganlab.ui import views as render


def test_image_grid_lays_out_samples_with_padding_and_upscales():
    samples = -torch.ones(64, 1, 16, 16)
    samples[0] = 1.0  # first cell white, the rest black
    grid = image_grid(samples, target_px=512)
    side = 8 * (16 + 2) + 2  # make_grid: 8 per row, 2 px padding
    factor = 512 // side
    assert grid.shape == (side * factor, side * factor, 3) and grid.dtype == np.uint8
    assert (grid[0, 0] == 255).all()  # padding is white
    inside = lambda row, col: grid[(2 + row * 18 + 8) * factor, (2 + col * 18 + 8) * factor]
    assert (inside(0, 0) == 255).all() and (inside(0, 1) == 0).all() and (inside(7, 7) == 0).all()


def _views(surface_value: float) -> probes.PointViews:
    lattice = np.stack(np.meshgrid(np.linspace(-1, 1, 5), np.linspace(-1, 1, 5)), axis=-1)
    return probes.PointViews(
        extent=(-2.0, 2.0, -2.0, 2.0),
        real=np.array([[1.0, 1.0]]),
        fake=np.array([[-1.0, -1.0]]),
        surface=np.full((8, 8), surface_value),
        manifold=lattice,
        arrow_from=np.array([[0.0, 0.0]]),
        arrow_dir=np.array([[1.0, 0.0]]),
        surface_is_probability=True,
    )


def test_points_view_draws_real_green_fake_purple_on_ds_verdict():
    size = 200
    image = viz.points_view(_views(1.0), size=size)
    assert image.shape == (size, size, 3)
    px = lambda x, y: image[int((2 - y) / 4 * (size - 1)), int((x + 2) / 4 * (size - 1))]
    assert tuple(px(1, 1)) == viz.REAL and tuple(px(-1, -1)) == viz.FAKE
    corner = image[2, 2].astype(int)
    assert corner[1] > corner[0] and corner[1] > corner[2]  # D says "real" everywhere: green tint
    fake_bg = viz.points_view(_views(0.0), ("surface",), size=size)[2, 2].astype(int)
    assert fake_bg[0] > fake_bg[1] and fake_bg[2] > fake_bg[1]  # "fake": purple tint
    white = viz.points_view(_views(0.5), ("surface",), size=size)[2, 2]
    assert (white >= 250).all()  # D cannot tell: white
    arrow = image[int(2 / 4 * (size - 1)), int(2.15 / 4 * (size - 1))]
    assert tuple(arrow) == viz.ARROW  # the arrow points right from the origin


def test_manifold_view_draws_the_warped_grid():
    image = viz.manifold_view(_views(0.5), size=100)
    dark = image.sum(axis=2) < 300
    assert dark.sum() > 100  # 2 x 5 grid lines drawn
    assert not dark[:10].any()  # nothing outside the grid (which spans -1..1 of -2..2)


def test_timelapse_gif_has_a_frame_per_recorded_step(tmp_path):
    frames = [(step, torch.full((4, 1, 8, 8), step, dtype=torch.uint8)) for step in (0, 50, 100)]
    data = viz.timelapse_gif(frames, tmp_path / "t.gif", size=64)
    assert (tmp_path / "t.gif").read_bytes() == data
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == 3
    with pytest.raises(ValueError, match="no frames"):
        viz.timelapse_gif([])


def test_probe_points_shapes_and_leaves_training_state_alone():
    torch.manual_seed(0)
    g, d = MLPGenerator(z_dim=2, width=16, depth=2), MLPDiscriminator(width=16, depth=2, spectral_norm=True)
    g.train(), d.train()
    before = {k: v.clone() for k, v in d.state_dict().items()}
    fake = g(torch.randn(300, 2)).detach()
    real = torch.randn(200, 2)
    views = probes.probe_points(
        g,
        d,
        lambda out: torch.nn.functional.softplus(-out).mean(),
        fake,
        real.numpy(),
        probes.view_extent(real),
        2,
        "normal",
        True,
    )
    assert views.surface.shape == (probes.SURFACE_RES, probes.SURFACE_RES)
    assert ((views.surface >= 0) & (views.surface <= 1)).all()
    assert views.manifold.shape == (probes.MANIFOLD_LINES, probes.MANIFOLD_LINES, 2)
    assert views.arrow_from.shape == views.arrow_dir.shape == (probes.ARROWS, 2)
    assert g.training and d.training  # modes restored
    for k, v in d.state_dict().items():  # spectral norm's power iteration did not advance
        assert torch.equal(v, before[k]), k


def _history(n: int, **cols) -> np.ndarray:
    h = np.zeros((n, len(HISTORY_COLUMNS)))
    h[:, COL["step"]] = np.arange(1, n + 1)
    h[:, COL["d_loss"]] = 1.3
    h[:, COL["g_loss"]] = 0.7
    h[:, COL["d_real"]], h[:, COL["d_fake"]] = 0.55, 0.45
    h[:, COL["g_grad_norm"]] = 1.0
    for name, values in cols.items():
        h[:, COL[name]] = values
    return h


def _kinds(**kwargs) -> list[str]:
    return [w.kind for w in health.assess(HealthInput(probabilities=kwargs.pop("probabilities", True), **kwargs))]


def test_health_is_quiet_on_a_healthy_run():
    rng = np.random.default_rng(0)
    h = _history(800, d_real=0.55 + 0.05 * rng.standard_normal(800), d_fake=0.45 + 0.05 * rng.standard_normal(800))
    assert _kinds(history=h, modes=((400, 8, 8), (800, 8, 8))) == []


def test_health_spots_vanishing_gradients_and_suggests_nonsaturating():
    g = np.concatenate([np.full(100, 2.0), np.full(200, 1e-4)])
    h = _history(300, g_grad_norm=g, d_fake=np.full(300, 0.001), d_real=np.full(300, 0.999))
    warnings = health.assess(HealthInput(history=h, probabilities=True, objective="minimax"))
    assert [w.kind for w in warnings] == ["vanishing"] and "nonsaturating" in warnings[0].advice


def test_health_spots_mode_loss_oscillation_and_divergence():
    assert "mode-collapse" in _kinds(history=_history(900), modes=((300, 7, 8), (600, 8, 8), (900, 3, 8)))
    steps = np.arange(600)
    swing = 0.45 * np.sign(np.sin(steps / 40))
    assert "oscillation" in _kinds(history=_history(600, d_real=0.5 + swing / 2, d_fake=0.5 - swing / 2))
    stopped = health.assess(HealthInput(history=_history(10), probabilities=True, stopped_reason="NaN at step 9"))
    assert stopped[0].kind == "divergence" and stopped[0].severity == "error"
    assert "class-collapse" in _kinds(history=_history(900), classes=((500, 9, 10), (900, 3, 10)))


def test_plot_tables_are_bounded_and_keep_the_last_step():
    h = _history(5000)
    frame = render.plot_frame(h, "loss")
    assert set(frame["series"]) == {"D loss", "G loss"}
    assert len(frame) <= 2 * render.MAX_POINTS and frame["step"].max() == 5000
    verdict = render.plot_frame(_history(50, wasserstein=np.linspace(1, 0, 50)), "verdict", wasserstein=True)
    assert "Wasserstein estimate" in set(verdict["series"])
    assert render.plot_frame(_history(0), "loss") is None  # Gradio's plot must never get an empty table
