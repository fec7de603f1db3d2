"""One renderer per concept (ganlab.render) gives the pixels the merged copies gave.

The references below are the pre-merge code paths, frozen here: the float
grid of ``inference.sample`` (make_grid with normalize), its ``to_uint8``,
CycleGAN's triplet converter and the ``samples.png`` point cloud.
"""

import numpy as np
import pytest
import torch
from PIL import Image, ImageDraw
from torchvision.utils import make_grid

from ganlab.render.gif import boomerang, gif_bytes
from ganlab.render.images import image_grid, to_hwc, to_pil, to_uint8
from ganlab.render.points import FAKE, REAL, clouds_image


def _old_to_uint8(images):
    return ((images.clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(0, 2, 3, 1).numpy()


def _old_float_grid(images, nrow, scale):
    grid = make_grid(images.clamp(-1, 1), nrow=nrow, padding=2, normalize=True, value_range=(-1, 1), pad_value=1.0)
    array = _old_to_uint8(grid[None] * 2 - 1)[0]
    img = Image.fromarray(array)
    return np.asarray(img.resize((img.width * scale, img.height * scale), Image.NEAREST))


def _old_points_image(fake, real, size=480):
    finite = torch.cat([real, fake])
    finite = finite[torch.isfinite(finite).all(dim=1)]
    extent = float(finite.abs().max().clamp(min=1.0)) * 1.15
    img = Image.new("RGB", (size, size), "white")
    draw = ImageDraw.Draw(img)
    to_px = lambda v: (v / extent * 0.5 + 0.5) * (size - 1)  # noqa: E731
    for cloud, colour, r in ((real, REAL, 3), (fake, FAKE, 1.5)):
        for x, y in cloud[torch.isfinite(cloud).all(dim=1)].tolist():
            px, py = to_px(x), size - 1 - to_px(y)
            draw.ellipse((px - r, py - r, px + r, py + r), fill=colour)
    return np.asarray(img)


@pytest.mark.parametrize("channels", [1, 3])
@pytest.mark.parametrize("n,scale", [(1, 1), (7, 2), (20, 3)])
def test_one_grid_matches_the_old_float_grid(channels, n, scale):
    x = torch.rand(n, channels, 9, 9, generator=torch.Generator().manual_seed(n)) * 2.4 - 1.2
    assert np.array_equal(image_grid(x, nrow=8, scale=scale), _old_float_grid(x, 8, scale))
    assert np.array_equal(image_grid(x, nrow=8, scale=scale), image_grid(to_uint8(x), nrow=8, scale=scale))


def test_one_converter_matches_the_old_ones():
    x = torch.rand(5, 3, 6, 6, generator=torch.Generator().manual_seed(1)) * 2.2 - 1.1
    assert np.array_equal(to_hwc(x), _old_to_uint8(x))
    triplet_old = ((x[0].float().clamp(-1, 1) + 1) * 127.5).round().to(torch.uint8).permute(1, 2, 0).numpy()
    assert np.array_equal(np.asarray(to_pil(x[0])), triplet_old)
    assert to_pil(x[:1, :1]).mode == "L" and to_uint8(to_uint8(x)).dtype == torch.uint8


def test_one_point_cloud_matches_the_old_samples_png():
    gen = torch.Generator().manual_seed(2)
    fake, real = torch.randn(300, 2, generator=gen) * 3, torch.randn(200, 2, generator=gen)
    fake[0] = float("nan")
    assert np.array_equal(np.asarray(clouds_image(fake, real)), _old_points_image(fake, real))


def test_gif_writer_loops_and_boomerangs():
    frames = [Image.new("RGB", (8, 8), (i * 40, 0, 0)) for i in range(4)]
    assert len(boomerang(frames)) == 6
    gif = Image.open(__import__("io").BytesIO(gif_bytes(boomerang(frames), 50)))
    assert gif.n_frames == 6
