"""The manifold morph: t = 0 is the noise grid, t = 1 G's manifold; shading follows the stretch."""

from __future__ import annotations

import io

import numpy as np
import pytest
import torch
from PIL import Image

from ganlab.families.gan import probes
from ganlab.render import morph


def _lattice(lines: int = 9, span: float = 1.0) -> np.ndarray:
    return probes._noise_lattice(2, "uniform", lines, torch.device("cpu")).numpy() * span


def _views(manifold: np.ndarray, lattice: np.ndarray) -> probes.PointViews:
    return probes.PointViews(
        extent=(-2.0, 2.0, -2.0, 2.0),
        real=np.array([[0.5, 0.5]]),
        fake=np.zeros((1, 2)),
        surface=np.full((4, 4), 0.5),
        manifold=manifold,
        arrow_from=np.zeros((1, 2)),
        arrow_dir=np.zeros((1, 2)),
        surface_is_probability=True,
        lattice=lattice,
    )


def test_morph_starts_at_the_lattice_and_ends_at_the_manifold():
    lattice = _lattice()
    manifold = np.sin(lattice * 3) + 0.2
    assert np.array_equal(morph.morph_lattice(lattice, manifold, 0.0), lattice)
    assert np.array_equal(morph.morph_lattice(lattice, manifold, 1.0), manifold)
    assert np.allclose(morph.morph_lattice(lattice, manifold, 0.5), (lattice + manifold) / 2)
    with pytest.raises(ValueError, match=r"t must be in \[0, 1\]"):
        morph.morph_lattice(lattice, manifold, 1.5)


def test_area_ratio_is_the_determinant_of_a_linear_map_and_shading_follows_the_stretch():
    lattice = _lattice()
    stretch_x = lattice * np.array([3.0, 1.0])
    assert np.allclose(morph.area_ratio(lattice, stretch_x), 3.0)
    # stretch only the right half (x > 0; the lattice has a line at x = 0): cells there are 3x,
    # the left ones unchanged; relative to the typical cell (geometric mean: sqrt 3) the right is
    # sqrt 3 times as large, the left sqrt 3 times smaller
    piecewise = lattice.copy()
    piecewise[..., 0] = np.where(lattice[..., 0] > 0, 3 * lattice[..., 0], lattice[..., 0])
    ratio = morph.area_ratio(lattice, piecewise)
    right, left = ratio[:, 4:], ratio[:, :4]
    assert np.allclose(right, 3.0) and np.allclose(left, 1.0)
    rel = morph.relative_stretch(ratio)
    assert np.allclose(rel[:, 4:], 3**0.5) and np.allclose(rel[:, :4], 3**-0.5)
    colours = morph.cell_colours(ratio)
    assert (colours[:, 4:, :3] == morph.STRETCH).all() and (colours[:, :4, :3] == morph.SQUEEZE).all()
    assert not morph.folded(ratio).any()


def test_a_cell_that_flips_is_marked_folded():
    lattice = _lattice(5)
    grid = lattice.copy()
    grid[0, 0], grid[1, 1] = grid[1, 1].copy(), grid[0, 0].copy()  # swap two corners of the first cell
    fold = morph.folded(morph.area_ratio(lattice, grid))
    assert fold[0, 0] and fold.sum() < fold.size // 2
    assert (morph.cell_colours(morph.area_ratio(lattice, grid))[0, 0, :3] == morph.FOLD).all()


def test_morph_view_shades_a_stretched_region_and_t0_is_unshaded():
    lattice = _lattice(9)
    piecewise = lattice.copy()
    piecewise[..., 0] = np.where(lattice[..., 0] > 0, 4 * lattice[..., 0], lattice[..., 0])
    views = _views(piecewise, lattice)
    size = 256
    x0, x1, y0, y1 = morph.morph_extent(views)
    px = lambda x, y: (int((y1 - y) / (y1 - y0) * (size - 1)), int((x - x0) / (x1 - x0) * (size - 1)))
    end, start = morph.morph_view(views, 1.0, size), morph.morph_view(views, 0.0, size)
    assert end.shape == (size, size, 3) and end.dtype == np.uint8
    # cell centres away from grid lines and real points: right of x = 0 stretched 4x, left not
    (rr, rc), (lr, lc) = px(1.5, -0.375), px(-0.375, -0.375)
    stretched, squeezed = end[rr, rc].astype(int), end[lr, lc].astype(int)
    assert stretched[2] > stretched[0] + 30  # blue: G spreads samples thin here
    assert squeezed[0] > squeezed[1] + 15 and squeezed[2] > squeezed[1] + 15  # purple: they pile up
    assert (start[rr, rc] == 255).all() and (start[lr, lc] == 255).all()  # t = 0: nothing shaded


def test_morph_gif_decodes_with_the_frames_asked_for_and_lingers_at_the_end():
    lattice = _lattice(9)
    views = _views(lattice * np.array([1.5, 0.7]), lattice)
    data = morph.morph_gif(views, frames=7, size=96, seconds=1.2, hold_ms=900)
    gif = Image.open(io.BytesIO(data))
    assert gif.n_frames == 7
    durations = []
    for k in range(gif.n_frames):
        gif.seek(k)
        durations.append(gif.info["duration"])
    assert durations[-1] == 900 and durations[0] == 200


def test_live_views_carry_the_noise_lattice():
    from ganlab.families.gan.mlp import MLPDiscriminator, MLPGenerator

    torch.manual_seed(0)
    G, D = MLPGenerator(z_dim=3, width=16, depth=2), MLPDiscriminator(width=16, depth=2)
    fake = torch.randn(32, 2)
    views = probes.probe_points(G, D, lambda s: -s.mean(), fake, np.zeros((4, 2)), (-2, 2, -2, 2), 3, "normal", True)
    assert views.lattice.shape == views.manifold.shape == (probes.MANIFOLD_LINES,) * 2 + (2,)
    assert views.lattice[0, 0].tolist() == [-2.5, -2.5] and views.lattice[0, -1].tolist() == [2.5, -2.5]
    assert morph.morph_view(views, 0.5, 64).shape == (64, 64, 3)
