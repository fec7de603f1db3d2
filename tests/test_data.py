"""Data sets: the benchmark mixtures exactly, user points with clear errors, images offline."""

import io
import math
import zipfile

import pytest
import torch
from PIL import Image

from ganlab.data import load_dataset
from ganlab.errors import DataUnavailable, GanLabError

from shared_data import shared_data_root


def test_ring8_is_the_veegan_ring():
    ds = load_dataset("ring8")
    assert ds.sigma == 0.01
    assert torch.allclose(ds.modes.norm(dim=1), torch.ones(8))
    x, _ = ds.sample(20000, torch.Generator().manual_seed(0))
    nearest = torch.cdist(x, ds.modes).min(dim=1).values
    # in 2D, P(|x - mu| < 3 sigma) = 1 - exp(-9/2) = 0.9889 for an isotropic Gaussian
    assert (nearest < 3 * 0.01).float().mean().item() == pytest.approx(1 - math.exp(-4.5), abs=0.003)


def test_grid25_centres_and_sigma():
    ds = load_dataset("grid25")
    assert ds.sigma == 0.05
    assert sorted(set(ds.modes[:, 0].tolist())) == [-4.0, -2.0, 0.0, 2.0, 4.0]
    assert ds.modes.shape == (25, 2)


@pytest.mark.parametrize("name", ["line", "two-gaussians", "ring", "blobs", "spiral", "moons"])
def test_gan_lab_shapes_sample_finite_points(name):
    x, y = load_dataset(name).sample(500, torch.Generator().manual_seed(1))
    assert x.shape == (500, 2) and torch.isfinite(x).all() and y is None


def test_points_csv_with_header(tmp_path):
    path = tmp_path / "p.csv"
    path.write_text("x,y\n0,1\n2.5,-3\n4,4\n")
    ds = load_dataset(f"csv:{path}")
    assert ds.data.tolist() == [[0, 1], [2.5, -3], [4, 4]]


@pytest.mark.parametrize(
    "text,needle",
    [
        ("", "empty"),
        ("x,y\n1,2\nfoo,3\n", "row 3"),
        ("x,y\n1,nan\n2,3\n", "finite"),
        ("x\n1\n2\n", "two columns"),
        ("x,y\n1,2\n", "at least 2"),
    ],
)
def test_points_csv_errors_say_what_is_wrong(tmp_path, text, needle):
    path = tmp_path / "bad.csv"
    path.write_text(text)
    with pytest.raises(GanLabError, match=needle):
        load_dataset(f"csv:{path}")


def test_digits_ship_offline_as_16px_in_unit_range():
    ds = load_dataset("digits")
    assert ds.data.shape == (1797, 1, 16, 16)
    assert ds.data.min() >= -1 and ds.data.max() <= 1
    assert ds.num_classes == 10 and ds.labels.shape == (1797,)


def test_missing_torchvision_set_says_what_to_do(tmp_path):
    with pytest.raises(DataUnavailable) as info:
        load_dataset("mnist", data_root=str(tmp_path))
    message = str(info.value)
    assert "GANLAB_DATA" in message and "--download" in message and str(tmp_path) in message


def test_offline_download_fails_with_a_clear_message(tmp_path, monkeypatch):
    """With no network the download raises inside torchvision; the user gets one sentence."""
    import urllib.request

    def offline(*args, **kwargs):
        raise urllib.error.URLError("no network")

    monkeypatch.setattr(urllib.request, "urlopen", offline)
    monkeypatch.setattr(urllib.request.OpenerDirector, "open", offline)
    with pytest.raises(DataUnavailable, match="(?i)download"):
        load_dataset("fashion", data_root=str(tmp_path), download=True)


def test_real_mnist_loads_from_the_data_root():
    root = shared_data_root("MNIST")
    ds = load_dataset("mnist", data_root=str(root))
    assert ds.data.shape == (60000, 1, 28, 28) and ds.num_classes == 10
    assert -1.0 <= ds.data.min() < -0.99 and ds.data.max() > 0.99


def _png(color, size=(20, 12), mode="RGB") -> bytes:
    buf = io.BytesIO()
    Image.new(mode, size, color).save(buf, format="PNG")
    return buf.getvalue()


def test_image_zip_is_read_without_extracting_and_bad_files_skipped(tmp_path):
    archive = tmp_path / "imgs.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("a.png", _png((255, 0, 0)))
        zf.writestr("../evil.png", _png((0, 255, 0)))  # a path outside: read, never extracted
        zf.writestr("broken.png", b"not an image")
        zf.writestr("gray.png", _png(128, mode="L"))
    ds = load_dataset(f"folder:{archive}", image_size=16)
    assert ds.data.shape == (3, 3, 16, 16)
    assert "skipped 1" in ds.description
    assert not (tmp_path.parent / "evil.png").exists()


def test_folder_with_no_images_is_a_clear_error(tmp_path):
    (tmp_path / "notes.txt").write_text("hello")
    with pytest.raises(GanLabError, match="no readable images"):
        load_dataset(f"folder:{tmp_path}")


def test_unknown_dataset_lists_choices():
    with pytest.raises(GanLabError, match="ring8.*digits"):
        load_dataset("imagenet")
