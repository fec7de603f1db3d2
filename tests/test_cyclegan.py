"""CycleGAN: official-format weights, translation at any size, the translate CLI, and training."""

from __future__ import annotations

import json
import os
import pickle

import pytest
import torch
from PIL import Image

from cyclegan_fixtures import export_pair, make_domains, official_state, sample_photo, tiny_trainer
from official_cyclegan import fake_release_state, official_manifest
from ganlab.inference.catalog import list_checkpoints
from ganlab.cli import main as cli_main
from ganlab.families.cyclegan.io import load_official_generator, load_translator
from ganlab.data.unpaired import _crop_flip, load_unpaired
from ganlab.errors import CheckpointError, ConfigError
from ganlab.families.cyclegan.models import PatchDiscriminator, ResnetGenerator, count_parameters
from ganlab.paths import pretrained_dir
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families.cyclegan.state import restore_cyclegan, save_cyclegan
from ganlab.families.cyclegan.trainer import ImagePool
from ganlab.inference.translate import prepare, translate_image, translate_tensor

# -- architecture ----------------------------------------------------------------------


def test_generator_names_and_shapes_equal_the_official_release():
    g = ResnetGenerator(ngf=64, n_blocks=9)
    state = g.state_dict()
    assert count_parameters(g) == 11_378_179  # resnet_9blocks, ngf 64, instance norm
    expected = {
        "model.1.weight": (64, 3, 7, 7),
        "model.1.bias": (64,),
        "model.4.weight": (128, 64, 3, 3),
        "model.7.weight": (256, 128, 3, 3),
        "model.10.conv_block.1.weight": (256, 256, 3, 3),
        "model.10.conv_block.5.bias": (256,),
        "model.18.conv_block.5.weight": (256, 256, 3, 3),
        "model.19.weight": (256, 128, 3, 3),
        "model.22.weight": (128, 64, 3, 3),
        "model.26.weight": (3, 64, 7, 7),
        "model.26.bias": (3,),
    }
    for key, shape in expected.items():
        assert tuple(state[key].shape) == shape, key
    assert len(state) == 48 and not any("running" in k for k in state)  # no norm buffers, no affine
    assert {k: tuple(v.shape) for k, v in state.items()} == official_manifest(ngf=64, n_blocks=9)
    assert isinstance(g.model[19], torch.nn.ConvTranspose2d) and g.model[19].output_padding == (1, 1)
    d = PatchDiscriminator()
    assert count_parameters(d) == 2_764_737
    assert [k for k in d.state_dict() if k.endswith("weight")] == [
        "model.0.weight",
        "model.2.weight",
        "model.5.weight",
        "model.8.weight",
        "model.11.weight",
    ]
    assert tuple(d(torch.zeros(1, 3, 256, 256)).shape) == (1, 1, 30, 30)  # 70x70 patches


def test_six_block_generator_keeps_official_indices():
    keys = ResnetGenerator(ngf=32, n_blocks=6).state_dict()
    assert "model.15.conv_block.5.weight" in keys and "model.16.weight" in keys and "model.23.weight" in keys


# -- official .pth import -----------------------------------------------------------------


def test_official_state_dict_round_trip_strips_instance_norm_buffers(tmp_path):
    g, state = official_state(ngf=8, n_blocks=6)
    assert any(k.endswith("running_mean") for k in state)
    path = tmp_path / "latest_net_G_A.pth"
    torch.save(state, path)
    loaded = load_official_generator(path)
    assert (loaded.ngf, loaded.n_blocks) == (8, 6)
    x = torch.rand(1, 3, 36, 40) * 2 - 1
    assert torch.equal(loaded(x), g(x))
    torch.save({f"module.{k}": v for k, v in state.items()}, tmp_path / "dp.pth")  # nn.DataParallel
    assert torch.equal(load_official_generator(tmp_path / "dp.pth")(x), g(x))


@pytest.mark.parametrize("norm_buffers", [False, True], ids=["current", "pre-0.4 buffers"])
def test_a_release_shaped_latest_net_G_A_pth_imports_and_translates(tmp_path, norm_buffers):
    """A file with exactly the release's names and shapes (resnet_9blocks, ngf 64), built from the
    official layout, not from our module: every tensor lands where the release put it."""
    manifest = official_manifest(ngf=64, n_blocks=9, norm_buffers=norm_buffers)
    assert (
        sum(torch.Size(s).numel() for k, s in manifest.items() if "running" not in k and "num_batches" not in k)
        == 11_378_179
    )  # the release's generator size
    state = fake_release_state(manifest)
    path = tmp_path / "latest_net_G_A.pth"
    torch.save(state, path)
    g = load_official_generator(path)
    assert (g.ngf, g.n_blocks) == (64, 9)
    loaded = g.state_dict()
    params = {k: v for k, v in state.items() if not k.endswith(("running_mean", "running_var", "num_batches_tracked"))}
    assert loaded.keys() == params.keys()
    assert all(torch.equal(loaded[k], v) for k, v in params.items())
    x = prepare(sample_photo(), 64)
    y = translate_tensor(g, x)
    assert y.shape == x.shape and torch.isfinite(y).all() and -1 <= y.min() and y.max() <= 1
    assert (y - x).abs().mean() > 0.01  # the random weights really ran, not an identity


def test_foreign_and_damaged_pth_files_are_named_clearly(tmp_path):
    cases = {}
    torch.save(PatchDiscriminator(ndf=8).state_dict(), tmp_path / "net_D.pth")
    cases["net_D.pth"] = "discriminator"
    torch.save({"main.0.weight": torch.zeros(64, 100, 4, 4)}, tmp_path / "dcgan.pth")  # pytorch/examples DCGAN
    cases["dcgan.pth"] = "main.0.weight"
    _, state = official_state(ngf=8, n_blocks=6)
    state["model.10.conv_block.1.weight"] = torch.zeros(32, 32, 1, 1)
    torch.save(state, tmp_path / "shapes.pth")
    cases["shapes.pth"] = "model.10.conv_block.1.weight"
    torch.save(state, tmp_path / "whole.pth")
    (tmp_path / "truncated.pth").write_bytes((tmp_path / "whole.pth").read_bytes()[:3000])
    cases["truncated.pth"] = "truncated"
    (tmp_path / "text.pth").write_text("hello, I am not a tensor file")
    cases["text.pth"] = "text.pth"
    torch.save([1, 2, 3], tmp_path / "list.pth")
    cases["list.pth"] = "not a state dict"
    for name, fragment in cases.items():
        with pytest.raises(CheckpointError) as info:
            load_translator(tmp_path / name)
        message = str(info.value)
        assert fragment in message and "\n" not in message, (name, message)


class _Payload:
    def __reduce__(self):
        return (os.system, (f"touch {os.environ['GANLAB_TEST_MARKER']}",))


def test_malicious_pickle_is_refused_not_executed(tmp_path, monkeypatch):
    marker = tmp_path / "executed"
    monkeypatch.setenv("GANLAB_TEST_MARKER", str(marker))
    with open(tmp_path / "evil.pth", "wb") as handle:
        pickle.dump({"model.1.weight": _Payload()}, handle)
    with pytest.raises(CheckpointError, match="refused"):
        load_translator(tmp_path / "evil.pth")
    assert not marker.exists()


# -- translation ---------------------------------------------------------------------------


def test_odd_sizes_keep_their_shape_and_range():
    g = ResnetGenerator(ngf=8, n_blocks=2).eval()
    x = prepare(Image.new("RGB", (451, 300), (30, 140, 60)))
    assert tuple(x.shape) == (1, 3, 300, 451) and -1 <= x.min() and x.max() <= 1
    y = translate_tensor(g, x)
    assert tuple(y.shape) == (1, 3, 300, 451) and y.min() >= -1 and y.max() <= 1
    assert translate_image(g, Image.new("RGB", (451, 300))).size == (451, 300)
    assert translate_image(g, Image.new("RGBA", (7, 5))).size == (7, 5)  # tiny, with alpha
    assert translate_image(g, Image.new("RGB", (600, 400)), size=256).size == (256, 171)
    tiled = translate_tensor(g, x, tile=128, overlap=32, tile_pixels=1)  # tiles bound memory
    assert tiled.shape == y.shape and (tiled - y).abs().mean() < 0.15  # a gap or bad blend is ~0.5


# -- data -----------------------------------------------------------------------------------


def test_unpaired_folders_with_spaces_crop_and_flip(tmp_path):
    a, b = make_domains(tmp_path, n=5)
    data = load_unpaired(f"unpaired:{a},{b}", load_size=36, crop=32)
    assert data.domains == ("warm days", "cold days") and tuple(data.a.shape) == (5, 3, 36, 36)
    real_a, real_b = data.sample(3, torch.Generator().manual_seed(0))
    assert tuple(real_a.shape) == (3, 3, 32, 32) and real_b.min() >= -1 and real_b.max() <= 1
    image = torch.arange(3 * 6 * 6, dtype=torch.uint8).reshape(1, 3, 6, 6)
    crop = _crop_flip(image, 8, 4, True, torch.Generator().manual_seed(1))
    windows = {image[0, :, i : i + 4, j : j + 4].float().div(127.5).sub(1) for i in range(3) for j in range(3)}
    for c in crop:  # every crop is a 4x4 window of the image, maybe mirrored
        assert any(torch.equal(c, w) or torch.equal(c, w.flip(-1)) for w in windows)
    with pytest.raises(Exception, match="not found"):
        load_unpaired(f"unpaired:{a},{tmp_path / 'missing'}")


def test_image_pool_returns_new_images_then_a_history():
    pool, gen = ImagePool(4), torch.Generator().manual_seed(0)
    first = torch.arange(4.0).view(4, 1, 1, 1)
    assert torch.equal(pool.query(first, gen), first)  # filling: returned as they are
    later = torch.full((64, 1, 1, 1), 100.0)
    out = pool.query(later, gen).flatten()
    assert set(out.tolist()) - {100.0} and (out == 100.0).any()  # a mix of old and new


def test_config_names_the_bad_field():
    with pytest.raises(ConfigError, match="image_size"):
        CycleGANConfig(image_size=30).validate()
    with pytest.raises(ConfigError, match="lambda_cycle"):
        CycleGANConfig(lambda_cycle=-1).validate()


# -- training, checkpoints, export, CLI -------------------------------------------------------


@pytest.mark.slow
def test_short_training_reduces_cycle_loss_and_saves_restores_exports(tmp_path):
    trainer = tiny_trainer(tmp_path / "data", steps=0)
    trainer.set_total_steps(80)
    stats = trainer.run(80)
    first = sum(s.cycle for s in stats[:10]) / 10
    last = sum(s.cycle for s in stats[-10:]) / 10
    assert last < 0.7 * first, (first, last)
    assert stats[-1].lr < stats[0].lr  # linear decay over the second half
    assert all(v == v for s in stats for v in (s.g_ab, s.g_ba, s.identity, s.d_a, s.d_b))
    save_cyclegan(trainer, tmp_path / "run")
    back = restore_cyclegan(tmp_path / "run", data=trainer.data)
    assert back.step_count == 80 and len(back.history) == 80
    for name, net in trainer.networks.items():
        for k, v in net.state_dict().items():
            assert torch.equal(v, back.networks[name].state_dict()[k]), (name, k)
    export_pair(trainer, tmp_path / "zoo")
    meta = json.loads((tmp_path / "zoo" / "warm2cold" / "model.json").read_text())
    assert meta["kind"] == "cyclegan" and meta["direction"] == "AtoB" and meta["inverse"] == "cold2warm"
    translator = load_translator(tmp_path / "zoo" / "warm2cold")
    assert (translator.source, translator.target) == ("warm days", "cold days") and translator.backward is not None
    x = trainer.fixed_a[:1]
    assert (translator.forward(x) - trainer.G_AB(x)).abs().max() < 0.02  # fp16 weights


def test_cli_translate_writes_one_png_per_input(tmp_path, capsys):
    trainer = tiny_trainer(tmp_path / "data", steps=2)
    export_pair(trainer, tmp_path / "zoo")
    photo = tmp_path / "china.jpg"
    sample_photo().save(photo)
    odd = tmp_path / "odd size.png"
    Image.new("RGB", (451, 300), (90, 160, 70)).save(odd)
    out = tmp_path / "out"
    code = cli_main(
        ["translate", str(tmp_path / "zoo" / "warm2cold"), str(photo), str(odd), "--out", str(out), "--round-trip"]
    )
    assert code == 0
    assert Image.open(out / "china.png").size == (640, 427)
    assert Image.open(out / "odd size.png").size == (451, 300)
    assert (out / "china_cycle.png").is_file()
    torch.save({"main.0.weight": torch.zeros(2)}, tmp_path / "foreign.pth")
    capsys.readouterr()
    assert cli_main(["translate", str(tmp_path / "foreign.pth"), str(photo), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error:") and "not a CycleGAN ResNet generator" in err and "\n" not in err


def test_cli_trains_a_cyclegan_on_unpaired_folders(tmp_path):
    a, b = make_domains(tmp_path / "data", n=6)
    run, zoo = tmp_path / "run", tmp_path / "zoo"
    code = cli_main(
        [
            "train",
            "--dataset",
            f"unpaired:{a},{b}",
            "--out",
            str(run),
            "--steps",
            "6",
            "--device",
            "cpu",
            "--image-size",
            "32",
            "--load-size",
            "36",
            "--ngf",
            "8",
            "--ndf",
            "8",
            "--n-blocks",
            "1",
            "--export-dir",
            str(zoo),
            "--quiet",
        ]
    )
    assert code == 0
    assert (run / "samples.png").is_file() and len((run / "losses.csv").read_text().splitlines()) == 7
    assert {p.name for p in zoo.iterdir()} == {"warm days2cold days", "cold days2warm days"}


def test_summer2winter_loads_from_the_data_root():
    from shared_data import shared_data_root

    root = shared_data_root("summer2winter_yosemite")
    data = load_unpaired("summer2winter", str(root), load_size=72, crop=64, max_images=4)
    assert data.domains == ("summer", "winter") and tuple(data.a.shape) == (4, 3, 72, 72)


SHIPPED_CYCLEGANS = [e.name for e in list_checkpoints("cyclegan") if e.shipped]


@pytest.mark.parametrize("name", SHIPPED_CYCLEGANS)
def test_shipped_translators_load_translate_and_pair_up(name):
    translator = load_translator(name)
    meta = translator.meta
    assert meta.get("inference_only") and meta.get("card", {}).get("recipe"), f"{name}: incomplete model card"
    assert translator.backward is not None, f"{name}: its inverse {meta.get('inverse')!r} is not shipped"
    assert (pretrained_dir() / name / "model.safetensors").stat().st_size < 8 * 2**20
    x = prepare(sample_photo(), 256)
    y = translate_tensor(translator.forward, x)
    assert y.shape == x.shape and torch.isfinite(y).all() and y.std() > 0.05
    assert (y - x).abs().mean() > 0.01  # it changes the photo ...
    back = translate_tensor(translator.backward, y)
    assert (back - x).abs().mean() < (torch.flip(x, dims=[-1]) - x).abs().mean()  # ... and the way back nears it
