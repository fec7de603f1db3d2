"""The StyleGAN family: its layers, W-space tools, exact resume, and the CLI end to end (tiny, CPU)."""

from __future__ import annotations

import json
import time

import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from ganlab.cli import main
from ganlab.engine.background import DeviceSlots
from ganlab.families import FAMILIES, family_for
from ganlab.families.stylegan.config import StyleGANConfig
from ganlab.families.stylegan.generator import StyleGANGenerator, mix, sefa
from ganlab.families.stylegan.layers import modulated_conv2d
from ganlab.families.stylegan.models import StyleGenerator
from ganlab.families.stylegan.state import restore_stylegan, save_stylegan
from ganlab.families.stylegan.trainer import StyleGANTrainer
from ganlab.inference.protocol import open_generator, sample_latents
from style_fixtures import TINY, train_tiny_style


def tiny_trainer(**changes) -> StyleGANTrainer:
    return StyleGANTrainer(StyleGANConfig(**{**TINY, **changes}))


def tiny_generator(**changes) -> StyleGANGenerator:
    torch.manual_seed(0)
    g = StyleGenerator(
        **{**dict(z_dim=8, w_dim=8, image_size=16, channels=1, width=4, mapping_layers=2), **changes}
    ).eval()
    with torch.no_grad():
        g.mapping.w_avg.normal_()  # a trained-looking centre, not zeros
        for layer in g.synthesis.layers:
            layer.noise.strength.fill_(1.0)  # noise visible (it starts at 0)
    return StyleGANGenerator(g)


# -- layers ----------------------------------------------------------------------------------------


def grouped_reference(x, weight, styles, demodulate=True):
    """The textbook modulated convolution: per-sample weights, one grouped conv."""
    n, i, h, w = x.shape
    wn = weight[None] * styles[:, None, :, None, None]  # (N, O, I, k, k)
    if demodulate:
        wn = wn * (wn.square().sum(dim=(2, 3, 4), keepdim=True) + 1e-8).rsqrt()
    out = F.conv2d(
        x.reshape(1, n * i, h, w), wn.reshape(-1, i, *weight.shape[2:]), padding=weight.shape[-1] // 2, groups=n
    )
    return out.reshape(n, -1, h, w)


@pytest.mark.parametrize("demodulate", [True, False])
def test_modulated_conv_equals_its_grouped_conv_reference(demodulate):
    g = torch.Generator().manual_seed(0)
    x, weight = torch.randn(3, 5, 8, 8, generator=g), torch.randn(6, 5, 3, 3, generator=g)
    styles = torch.rand(3, 5, generator=g) + 0.5
    torch.testing.assert_close(
        modulated_conv2d(x, weight, styles, demodulate),
        grouped_reference(x, weight, styles, demodulate),
        atol=1e-5,
        rtol=1e-4,
    )


def test_demodulation_keeps_unit_variance():
    g = torch.Generator().manual_seed(1)
    x = torch.randn(16, 32, 16, 16, generator=g)
    weight = torch.randn(32, 32, 3, 3, generator=g) * 5  # badly scaled weights and styles
    styles = torch.rand(16, 32, generator=g) * 3
    out = modulated_conv2d(x, weight, styles)
    assert 0.8 < out.var().item() < 1.2
    assert modulated_conv2d(x, weight, styles, demodulate=False).var().item() > 10


def test_layer_groups_cover_every_layer_coarse_to_fine():
    for size, layers in ((16, 5), (28, 5), (32, 7), (64, 9)):
        g = StyleGenerator(z_dim=4, w_dim=4, image_size=size, width=4, mapping_layers=1)
        groups = g.layer_groups
        assert list(groups) == ["coarse", "middle", "fine"] and g.num_layers == layers
        assert groups["coarse"][0] == 0 and groups["fine"][1] == layers
        assert groups["coarse"][1] == groups["middle"][0] and groups["middle"][1] == groups["fine"][0]
        assert g(torch.randn(2, 4)).shape == (2, 1, size, size)


# -- the generator protocol in W -------------------------------------------------------------------


def test_psi_zero_gives_w_avg_and_psi_one_leaves_w_alone():
    gen = tiny_generator()
    for seed in (0, 1, 2):
        at_zero = sample_latents(gen, seed, 2, psi=0.0).w
        torch.testing.assert_close(at_zero, gen.w_avg.expand_as(at_zero))
        plain = sample_latents(gen, seed, 2, psi=1.0)
        torch.testing.assert_close(plain.w, gen.module.broadcast(gen.module.mapping(plain.z)))
    coarse = gen.latent.layer_groups["coarse"]
    part = gen.latents(sample_latents(gen, 3).z, psi=0.0, truncate_layers=coarse).w
    torch.testing.assert_close(part[:, : coarse[1]], gen.w_avg.expand_as(part[:, : coarse[1]]))
    assert not torch.allclose(part[:, coarse[1] :], gen.w_avg.expand_as(part[:, coarse[1] :]))


def test_mixing_at_crossover_zero_is_the_destination_and_past_the_last_layer_the_source():
    gen = tiny_generator()
    src, dst = sample_latents(gen, 1, 2), sample_latents(gen, 2, 2)
    assert torch.equal(gen.synthesize(mix(gen, src, dst, 0)), gen.synthesize(dst))
    assert torch.equal(gen.synthesize(mix(gen, src, dst, gen.latent.num_layers)), gen.synthesize(src))
    middle = gen.synthesize(mix(gen, src, dst, 2))
    assert not torch.equal(middle, gen.synthesize(src)) and not torch.equal(middle, gen.synthesize(dst))
    with pytest.raises(Exception, match="crossover"):
        mix(gen, src, dst, gen.latent.num_layers + 1)


def test_noise_seed_changes_only_the_noise_and_none_is_fixed():
    gen = tiny_generator()
    lat = sample_latents(gen, 5, 3)
    assert torch.equal(gen.synthesize(lat), gen.synthesize(lat))
    assert not torch.equal(gen.synthesize(lat, noise_seed=1), gen.synthesize(lat, noise_seed=2))
    assert gen.features(lat).shape == (3, gen.latent.w_dim)


def test_sefa_gives_orthonormal_directions_largest_first():
    gen = tiny_generator()
    vectors, values = sefa(gen, k=4)
    assert vectors.shape == (4, 8) and torch.all(values[:-1] >= values[1:])
    torch.testing.assert_close(vectors @ vectors.T, torch.eye(4), atol=1e-5, rtol=0)


# -- training ---------------------------------------------------------------------------------------


def test_a_resumed_run_continues_bit_for_bit(tmp_path):
    changes = dict(pl_weight=2.0, pl_every=2, r1_every=2, mixing_prob=0.9)
    straight = tiny_trainer(**changes)
    straight.run(6)
    half = tiny_trainer(**changes)
    half.run(3)
    save_stylegan(half, tmp_path / "half")
    resumed = restore_stylegan(tmp_path / "half")
    resumed.run(3)
    assert resumed.step_count == 6
    for name, net in straight.networks.items():
        for (key, a), b in zip(net.state_dict().items(), resumed.networks[name].state_dict().values()):
            assert torch.equal(a, b), f"{name}.{key}"
    assert [s.d_loss for s in straight.history[3:]] == [s.d_loss for s in resumed.history]


def test_a_short_run_learns_something_measurable():
    trainer = tiny_trainer(channels=8, batch_size=16)
    start = trainer.sample_fixed()
    target = trainer.data.data.mean(0)
    far = (start.mean(0) - target).abs().mean()
    stats = trainer.run(60)
    assert torch.isfinite(torch.tensor([[s.d_loss, s.g_loss, s.penalty] for s in stats])).all()
    samples = trainer.sample_fixed()
    assert samples.shape == (64, 1, 16, 16) and not torch.equal(samples, start)
    assert (samples.mean(0) - target).abs().mean() < far  # the average sample moves toward the data's
    assert trainer.G.mapping.w_avg.abs().sum() > 0  # w_avg is tracked
    assert any(s.penalty > 0 for s in stats)  # lazy R1 ran


def test_the_family_follows_from_model_stylegan_and_never_takes_a_data_set_by_default():
    assert family_for(model="stylegan", dataset="digits").name == "stylegan"
    assert family_for(dataset="digits").name == "gan"
    assert FAMILIES["stylegan"].claims("mnist") and not FAMILIES["stylegan"].claims("ring8")


def test_a_live_job_shows_the_gan_views(tmp_path):
    job = FAMILIES["stylegan"].start(StyleGANConfig(**{**TINY, "steps": 12}), slots=DeviceSlots())
    try:
        deadline = time.monotonic() + 60
        while job.state == "running" and time.monotonic() < deadline:
            time.sleep(0.05)
        assert job.state == "finished", job.message
        snap = job.make_snapshot()
        assert snap.step == 12 and snap.history.shape[0] == 12 and snap.samples.shape[1:] == (1, 16, 16)
        assert json.loads((job.save(tmp_path / "live") / "model.json").read_text())["kind"] == "stylegan"
    finally:
        job.close()


# -- the command line -------------------------------------------------------------------------------


def test_train_sample_eval_export_and_mix_end_to_end(tmp_path, capsys):
    run, exp = tmp_path / "run", tmp_path / "exp"
    assert train_tiny_style(str(run), 20, "--snapshot-every", "10") == 0
    assert json.loads((run / "model.json").read_text())["kind"] == "stylegan"
    assert main(["train", "--dataset", "digits", "--out", str(run), "--resume", "--steps", "30", "--quiet"]) == 0
    assert "finished at step 30" in capsys.readouterr().out
    assert main(["sample", str(run), "--n", "4", "--out", str(tmp_path / "s"), "--truncation", "0.5"]) == 0
    assert len(list((tmp_path / "s").glob("*.png"))) == 4
    assert main(["export", str(run), "--out", str(exp)]) == 0
    meta = json.loads((exp / "model.json").read_text())
    assert meta["inference_only"] and meta["discriminator"] is None
    gen, _ = open_generator(exp)
    assert isinstance(gen, StyleGANGenerator) and torch.equal(gen.w_avg, open_generator(run)[0].w_avg)
    capsys.readouterr()
    assert main(["eval", str(exp), "--n", "20", "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["finite"] and report["n"] == 20
    grid = tmp_path / "mix.png"
    assert main(["mix", str(exp), "--rows", "1,2,3", "--cols", "4,5", "--crossover", "2", "--out", str(grid)]) == 0
    width, height = Image.open(grid).size
    cell = 16 * 4  # 16 px digits, upscaled x4
    assert (width, height) == (3 * cell + 4 * 2 * 4, 4 * cell + 5 * 2 * 4)  # (cols+1) x (rows+1), 2 px padding


@pytest.fixture(scope="module")
def tiny_runs(tmp_path_factory):
    """A tiny StyleGAN run and a tiny DCGAN run, trained once for the refusal tests."""
    root = tmp_path_factory.mktemp("mixruns")
    style = tiny_trainer(steps=2)
    style.run(2)
    save_stylegan(style, root / "style")
    from ganlab.families.gan.presets import recommended_config
    from ganlab.families.gan.state import save_trainer
    from ganlab.families.gan.trainer import Trainer

    gan = Trainer(recommended_config("digits", width=4, z_dim=4, batch_size=4, device="cpu"))
    gan.run(1)
    save_trainer(gan, root / "gan")
    return root


@pytest.mark.parametrize(
    "which,args,needle",
    [
        ("gan", ["--rows", "1", "--cols", "2"], "style mixing needs a stylegan checkpoint"),
        ("style", ["--rows", "1,x", "--cols", "2"], "--rows"),
        ("style", ["--rows", "1", "--cols", ""], "--cols"),
        ("style", ["--rows", "1", "--cols", "2", "--crossover", "6"], "--crossover: must be in [0, 5]"),
        ("style", ["--rows", "1", "--cols", "2", "--psi", "3"], "--psi"),
    ],
)
def test_mix_refuses_bad_input_by_name(tiny_runs, tmp_path, capsys, which, args, needle):
    out = tmp_path / "grid.png"
    assert main(["mix", str(tiny_runs / which), *args, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("error: ") and needle in err and "\n" not in err
    assert not out.exists()
