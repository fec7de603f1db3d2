"""A drawing becomes a 2D data set: inked pixels -> points in [-1, 1]², y up, aspect kept."""

import numpy as np
import pytest
import torch

from ganlab.families.gan.config import TrainConfig
from ganlab.data import load_dataset
from ganlab.data.drawn import drawing_to_csv, points_from_drawing
from ganlab.errors import GanLabError
from ganlab.families.gan.trainer import Trainer


def transparent_canvas(size=100):
    return np.zeros((size, size, 4), dtype=np.uint8)


def ink(canvas, rows, cols):
    canvas[rows, cols] = (30, 40, 50, 255) if canvas.shape[-1] == 4 else 20


def test_a_blob_top_left_becomes_points_top_left():
    canvas = transparent_canvas()
    ink(canvas, slice(10, 30), slice(10, 30))  # rows 10-29 (top), cols 10-29 (left)
    points = points_from_drawing(canvas)
    assert len(points) == 400
    assert (points[:, 0] > -0.81).all() and (points[:, 0] < -0.39).all()  # x in [-0.8, -0.4]
    assert (points[:, 1] > 0.39).all() and (points[:, 1] < 0.81).all()  # y up: top is positive


def test_dark_strokes_on_an_opaque_white_canvas_count_as_ink():
    canvas = np.full((60, 120, 3), 255, dtype=np.uint8)  # wide canvas: one scale keeps the aspect
    ink(canvas, slice(25, 35), slice(100, 120))
    points = points_from_drawing(canvas)
    assert len(points) == 200
    assert points[:, 0].min() > 0.6 and points[:, 0].max() <= 1.0
    assert abs(points[:, 1]).max() <= 0.1 + 1e-6  # a 10-px band in the middle: |y| <= 5/60


def test_same_drawing_same_points_and_a_cap_on_how_many():
    canvas = transparent_canvas(200)
    ink(canvas, slice(0, 200), slice(0, 100))  # 20,000 inked pixels
    a, b = points_from_drawing(canvas, max_points=500), points_from_drawing(canvas, max_points=500)
    assert a.shape == (500, 2) and np.array_equal(a, b)


@pytest.mark.parametrize(
    "canvas,needle",
    [
        (transparent_canvas(), "draw some strokes"),
        (np.full((50, 50, 4), 255, dtype=np.uint8)[..., :3] * 0, "whole canvas"),
        (np.zeros((5,), dtype=np.uint8), "expected an image"),
    ],
)
def test_empty_or_odd_drawings_say_what_to_do(canvas, needle):
    with pytest.raises(GanLabError, match=needle):
        points_from_drawing(canvas)


def distance_to_drawing(samples: torch.Tensor, points: torch.Tensor) -> float:
    """Mean distance from each generated point to its nearest drawn point."""
    return float(torch.cdist(samples.float(), points.float()).min(dim=1).values.mean())


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_csv_loads_and_g_learns_the_drawing(tmp_path, seed):
    canvas = transparent_canvas()
    ink(canvas, slice(10, 25), slice(55, 95))  # a bar top right, away from G's start near the origin
    path = drawing_to_csv(canvas, tmp_path)
    assert drawing_to_csv(canvas, tmp_path) == path  # same picture, same file
    data = load_dataset(f"csv:{path}")
    assert data.kind == "points" and len(data.data) == 600
    trainer = Trainer(TrainConfig(dataset=f"csv:{path}", width=32, batch_size=64, seed=seed, device="cpu"))
    before = distance_to_drawing(trainer.sample_fixed(), data.data)
    trainer.run(400)
    after = distance_to_drawing(trainer.sample_fixed(), data.data)
    assert after < 0.3 * before, (before, after)  # G's points moved onto the bar


def test_only_the_newest_drawings_are_kept(tmp_path):
    paths = []
    for i in range(4):
        canvas = transparent_canvas()
        ink(canvas, slice(10, 50), slice(10 + i, 50 + i))
        paths.append(drawing_to_csv(canvas, tmp_path, keep=2))
    assert sorted(tmp_path.glob("drawing-*.csv")) == sorted(paths[-2:])
