"""A corpus of bad inputs, generated here, through the core and the CLI: images, archives,
point CSVs and configs (checkpoints, divergence and atomic saves: test_bad_checkpoints.py).

Each is answered with one clear line (a GanLabError in the core; ``error: ...``
and exit 2 from the CLI), and the good-but-odd files load correctly.
"""

from __future__ import annotations

import csv as csv_module
import io
import struct
import zipfile

import pytest
import torch
from PIL import Image, ImageFile

from bad_files import assert_one_line_error, bad_images, bomb_png, encode, odd_images, run_cli, write_folder
from ganlab import limits
from ganlab.families.gan.config import TrainConfig
from ganlab.data import load_dataset
from ganlab.data.decode import open_image
from ganlab.errors import ConfigError, GanLabError


# -- images ------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(odd_images()))
def test_odd_but_valid_images_load_with_the_right_colours(tmp_path, name):
    raw, expected = odd_images()[name]
    ds = load_dataset(f"folder:{write_folder(tmp_path / 'set', {name: raw})}", image_size=8)
    assert ds.data.shape == (1, 3, 8, 8) and not ds.skipped
    assert ds.data.min() >= -1 and ds.data.max() <= 1
    mean = ds.data[0].mean(dim=(1, 2)).tolist()
    assert mean == pytest.approx(expected, abs=0.12), mean


def test_bad_images_are_skipped_and_counted_with_reasons(tmp_path):
    files = {name: raw for name, (raw, _) in bad_images().items()}
    files["good.png"] = encode(Image.new("RGB", (30, 30), (0, 255, 0)))
    ds = load_dataset(f"folder:{write_folder(tmp_path / 'set', files)}", image_size=8)
    assert ds.data.shape == (1, 3, 8, 8)
    assert f"skipped {len(bad_images())} unreadable" in ds.description
    for name, (_, needle) in bad_images().items():
        reason = next(r for r in ds.skipped if r.startswith(name + ":"))
        assert needle in reason, reason


def test_only_bad_images_is_one_clear_error(tmp_path):
    files = {name: raw for name, (raw, _) in bad_images().items()}
    with pytest.raises(GanLabError, match=r"no readable images found \(6 skipped"):
        load_dataset(f"folder:{write_folder(tmp_path / 'set', files)}")


@pytest.mark.parametrize("side", [8000, 30000])
def test_decompression_bomb_is_refused_from_its_header_without_decoding(monkeypatch, side):
    decoded = []
    original = ImageFile.ImageFile.load
    monkeypatch.setattr(ImageFile.ImageFile, "load", lambda self: decoded.append(self.size) or original(self))
    with pytest.raises(GanLabError, match=f"{side}x{side}|decompression bomb"):
        open_image(bomb_png(side, side), "bomb.png")
    assert decoded == []  # not one pixel was decoded
    assert open_image(encode(Image.new("L", (4, 4))), "ok.png").size == (4, 4) and (4, 4) in decoded  # the spy works


def test_pixel_cap_follows_its_environment_variable(monkeypatch):
    raw = encode(Image.new("RGB", (100, 100)))
    monkeypatch.setenv("GANLAB_MAX_IMAGE_PIXELS", "5000")
    with pytest.raises(GanLabError, match="100x100 is too large"):
        open_image(raw, "photo.png")
    monkeypatch.setenv("GANLAB_MAX_IMAGE_PIXELS", "lots")
    with pytest.raises(ConfigError, match="GANLAB_MAX_IMAGE_PIXELS: must be a positive whole number"):
        limits.get("image_pixels")


def test_translate_cli_answers_bad_and_odd_images(tmp_path, capsys):
    from ganlab.families.cyclegan.models import ResnetGenerator
    from ganlab.inference.translate import translate_image

    g = ResnetGenerator(ngf=4, n_blocks=1).eval()
    for name, (raw, _) in odd_images().items():
        if name != "wide.png":  # 10000 px wide is fine but slow to translate on a shared CPU
            out = translate_image(g, open_image(raw, name))
            assert out.mode == "RGB" and out.size == Image.open(io.BytesIO(raw)).size
    torch.save(g.state_dict(), tmp_path / "g.pth")
    out = tmp_path / "out"
    for name, (raw, needle) in bad_images().items():
        path = tmp_path / name
        path.write_bytes(raw)
        code, err = run_cli(capsys, "translate", tmp_path / "g.pth", path, "--out", out)
        assert_one_line_error(code, err, needle)
    assert not out.exists() or not any(out.iterdir())  # nothing half-written


# -- archives ----------------------------------------------------------------------------------


def test_zip_with_escaping_paths_mixed_sizes_and_modes_loads_without_extracting(tmp_path):
    archive = tmp_path / "inner" / "set.zip"
    archive.parent.mkdir()
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("../../up.png", encode(Image.new("RGB", (40, 30), (255, 0, 0))))
        zf.writestr("/abs/root.jpg", encode(Image.new("RGB", (300, 100), (0, 0, 255)), "JPEG"))
        zf.writestr("sub/gray.png", encode(Image.new("L", (8, 8), 128)))
        zf.writestr("sub/rgba.png", encode(Image.new("RGBA", (17, 23), (0, 255, 0, 255))))
        zf.writestr("readme.txt", "not an image")
    before = sorted(tmp_path.rglob("*"))
    ds = load_dataset(f"zip:{archive}", image_size=16)
    assert ds.data.shape == (4, 3, 16, 16) and not ds.skipped
    assert sorted(tmp_path.rglob("*")) == before  # nothing was extracted, anywhere


@pytest.mark.parametrize(
    "members,needle", [({}, "no image files"), ({"readme.txt": b"hello", "data.csv": b"1,2"}, "no image files")]
)
def test_zip_without_images_is_a_clear_error(tmp_path, members, needle):
    archive = tmp_path / "set.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    with pytest.raises(GanLabError, match=needle):
        load_dataset(f"zip:{archive}")


def test_not_a_zip_is_a_clear_error(tmp_path):
    (tmp_path / "set.zip").write_bytes(b"PK but not really")
    with pytest.raises(GanLabError, match="not a folder or a zip"):
        load_dataset(f"zip:{tmp_path / 'set.zip'}")


def test_zip_bomb_is_refused_by_its_declared_size_before_reading(tmp_path, monkeypatch):
    archive = tmp_path / "bomb.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("huge.png", b"\x00" * (4 * 2**20))  # 4 MB of zeros: a few KB compressed
    assert archive.stat().st_size < 64 * 1024
    monkeypatch.setenv("GANLAB_MAX_ZIP_BYTES", str(2**20))
    opened = []
    monkeypatch.setattr(zipfile.ZipFile, "open", lambda *a, **k: opened.append(a) or pytest.fail("read"))
    with pytest.raises(GanLabError, match="unpacks to 4.0 MB; at most 1.0 MB"):
        load_dataset(f"zip:{archive}")
    assert opened == []


def test_zip_member_that_lies_about_its_size_is_cut_off(tmp_path, monkeypatch):
    archive = tmp_path / "liar.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("good.png", encode(Image.new("RGB", (8, 8), (0, 0, 255))))
        zf.writestr("liar.png", b"\x00" * (8 * 2**20))
    raw = bytearray(archive.read_bytes())
    for signature, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):  # local and central headers
        start = raw.find(signature, raw.find(b"liar.png") - 64 if signature == b"PK\x03\x04" else 0)
        while start != -1:
            name_at = start + (30 if signature == b"PK\x03\x04" else 46)
            if raw[name_at : name_at + 8] == b"liar.png":
                raw[start + offset : start + offset + 4] = struct.pack("<I", 1000)  # "only 1000 bytes"
            start = raw.find(signature, start + 4)
    archive.write_bytes(bytes(raw))
    assert zipfile.ZipFile(archive).getinfo("liar.png").file_size == 1000
    ds = load_dataset(f"zip:{archive}", image_size=8)
    assert ds.data.shape == (1, 3, 8, 8) and len(ds.skipped) == 1 and "liar.png" in ds.skipped[0]


# -- point CSVs --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,needle",
    [
        ("\n\n  \n", "empty"),
        ("x,y\nleft,right\nup,down\n", "not numbers"),
        ("x,y\n1,inf\n2,3\n", "finite"),
        ("x,y\n1,-Infinity\n2,3\n", "finite"),
        ("1\n2\n3\n", "two columns"),
        ("\xff\xfe binary", "not UTF-8"),
    ],
)
def test_points_csv_corpus(tmp_path, text, needle):
    path = tmp_path / "p.csv"
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(GanLabError, match=needle):
        load_dataset(f"csv:{path}")


def test_a_million_row_csv_is_refused_before_parsing(tmp_path, monkeypatch, capsys):
    path = tmp_path / "million.csv"
    path.write_bytes(b"x,y\n" + b"1,2\n" * 1_000_000)
    monkeypatch.setattr(csv_module, "reader", lambda *a, **k: pytest.fail("parsed"))
    with pytest.raises(GanLabError, match="1,000,001 rows; at most 200,000"):
        load_dataset(f"csv:{path}")
    code, err = run_cli(capsys, "train", "--dataset", f"csv:{path}", "--steps", "1", "--out", tmp_path / "r")
    assert_one_line_error(code, err, "GANLAB_MAX_CSV_ROWS")
    assert not (tmp_path / "r").exists()


# -- configs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags,needle",
    [
        (["--steps", "-5"], "steps"),
        (["--steps", str(10**13)], "steps"),
        (["--g-lr", "nan"], "g_optim.lr"),
        (["--d-lr", "-1"], "d_optim.lr"),
        (["--device", "tpu"], "'tpu' is not available"),
        (["--width", "100000"], "width"),
    ],
)
def test_bad_train_flags(tmp_path, capsys, flags, needle):
    code, err = run_cli(capsys, "train", "--dataset", "ring8", "--out", tmp_path / "r", *flags)
    assert_one_line_error(code, err, needle)
    assert not (tmp_path / "r").exists()


@pytest.mark.parametrize(
    "text,needle",
    [
        ('{"gp_weight": NaN}', "gp_weight"),
        ('{"clip_value": Infinity}', "clip_value"),
        ('{"batch_size": "64"}', "batch_size"),
        ('{"g_optim": {"lr": "fast"}}', "g_optim.lr"),
        ('{"g_optim": "adam"}', "g_optim"),
        ('{"objective": "magic"}', "objective"),
        ("[1, 2, 3]", "expected a JSON object"),
        ("{", "not valid JSON"),
    ],
)
def test_bad_config_files_name_the_field(tmp_path, capsys, text, needle):
    with pytest.raises(ConfigError, match=needle):
        TrainConfig.from_json(text).validate()
    path = tmp_path / "cfg.json"
    path.write_text(text)
    code, err = run_cli(capsys, "train", "--dataset", "ring8", "--config", path, "--out", tmp_path / "r")
    assert_one_line_error(code, err, needle)
