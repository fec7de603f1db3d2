"""Explore and Interpolate in W for a style-based checkpoint (tiny StyleGAN, CPU), through the
core (:mod:`ganlab.inference.explore`, ``interpolation``, ``directions``), the tab handlers, and
gradio_client; a plain GAN beside it keeps its z-only behaviour and refuses the W-only path.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch
from PIL import Image

gr = pytest.importorskip("gradio")
from gradio_client import Client  # noqa: E402

from ganlab.errors import GanLabError  # noqa: E402
from ganlab.inference import explore, interpolation  # noqa: E402
from ganlab.inference.protocol import Latents  # noqa: E402

ZEROS = [0.0] * explore.DIRECTIONS


def _tiny_stylegan(folder):
    """A few steps on digits at 16 px with tiny channels, exported; noise strengths set visible
    (they start at 0 and barely move in a few steps), so a noise seed shows in the picture."""
    from ganlab.families.stylegan.config import StyleGANConfig
    from ganlab.families.stylegan.state import save_stylegan
    from ganlab.families.stylegan.trainer import StyleGANTrainer

    cfg = StyleGANConfig(
        dataset="digits",
        image_size=16,
        channels=4,
        z_dim=8,
        w_dim=8,
        mapping_layers=2,
        batch_size=8,
        steps=3,
        device="cpu",
    )
    trainer = StyleGANTrainer(cfg)
    trainer.run(3)
    with torch.no_grad():
        for g in (trainer.G, trainer.G_ema):
            for layer in g.synthesis.layers:
                layer.noise.strength.fill_(0.5)
    save_stylegan(trainer, folder, inference_only=True)


def _tiny_gan(folder):
    from ganlab.families.gan.config import TrainConfig
    from ganlab.families.gan.state import save_trainer
    from ganlab.families.gan.trainer import Trainer

    trainer = Trainer(
        TrainConfig(
            dataset="digits", model="dcgan", image_size=16, width=8, z_dim=8, batch_size=16, steps=2, device="cpu"
        )
    )
    trainer.run(2)
    save_trainer(trainer, folder, inference_only=True)


@pytest.fixture(scope="session")
def tiny_zoo(tmp_path_factory):
    """One tiny StyleGAN ("tiny-style") and one tiny DCGAN ("tiny-gan"), trained once per session."""
    root = tmp_path_factory.mktemp("wzoo")
    _tiny_stylegan(root / "tiny-style")
    _tiny_gan(root / "tiny-gan")
    return root


@pytest.fixture(scope="module")
def zoo(tiny_zoo):
    """The tiny zoo offered by name (as the shipped checkpoints) while this module runs."""
    mp = pytest.MonkeyPatch()
    mp.setenv("GANLAB_PRETRAINED", str(tiny_zoo))
    yield tiny_zoo
    mp.undo()


@pytest.fixture(scope="module")
def style(zoo) -> explore.Loaded:
    return explore.open_generator(zoo / "tiny-style")


@pytest.fixture(scope="module")
def client(zoo):
    from ganlab.ui.tabs.explore import build_explore_tab
    from ganlab.ui.tabs.interpolate import build_interpolate_tab

    with gr.Blocks() as demo:
        with gr.Tab("Explore"):
            build_explore_tab()
        with gr.Tab("Interpolate"):
            build_interpolate_tab()
    demo.queue().launch(prevent_thread_lock=True, server_name="127.0.0.1", quiet=True)
    c = Client(demo.local_url, verbose=False)
    yield c
    c.close()
    demo.close()


def _array(img) -> np.ndarray:
    return np.asarray(img)


def _view(name, seed, psi=1.0, basis="ganspace", coarse=False, noise=None, pcs=ZEROS, direction="PC1"):
    """The tab's handler, sliders untouched except ``pcs``; returns (picture, strip) as arrays."""
    from ganlab.ui.tabs import explore_actions as et

    loaded = et.resolve_checkpoint(name)
    z = explore.code(loaded, seed)[0]
    dims = [round(float(v), 2) for v in z[: explore.Z_SLIDERS]]
    image, strip = et.view(name, seed, psi, None, direction, 3.0, basis, coarse, noise, *pcs, *dims)
    return _array(image), _array(strip)


# -- truncation in W ---------------------------------------------------------------------------


def test_psi_zero_gives_the_w_avg_image_for_every_seed(zoo, style):
    from ganlab.ui.tabs import explore_actions as et

    gen = style.generator
    w_avg = gen.w_avg.expand(1, gen.latent.num_layers, -1)
    avg_image = _array(explore.show(style, Latents(z=torch.zeros(1, style.z_dim), w=w_avg)))
    for seed in (1, 2, 3):
        lat = explore.point(style, seed, 0.0)
        torch.testing.assert_close(lat.w, w_avg)
        assert np.array_equal(_array(et.generate("tiny-style", seed, 0.0, None)), avg_image)
    assert not np.array_equal(_array(et.generate("tiny-style", 1, 1.0, None)), avg_image)


def test_psi_on_the_coarse_layers_only_leaves_the_finer_styles_alone(style):
    start, end = style.generator.latent.layer_groups["coarse"]
    full, coarse = explore.point(style, 4, 1.0), explore.point(style, 4, 0.0, coarse_only=True)
    torch.testing.assert_close(coarse.w[:, start:end], style.generator.w_avg.expand(1, end - start, -1))
    torch.testing.assert_close(coarse.w[:, end:], full.w[:, end:])
    assert not np.array_equal(_view("tiny-style", 4, 0.0, coarse=True)[0], _view("tiny-style", 4, 0.0)[0])


# -- directions in W -------------------------------------------------------------------------


@pytest.mark.parametrize("basis", ["ganspace", "sefa"])
def test_a_w_direction_slider_changes_the_picture_and_moving_it_back_restores_it(zoo, style, basis):
    base, strip = _view("tiny-style", 5, basis=basis)
    moved, _ = _view("tiny-style", 5, basis=basis, pcs=[2.0] + ZEROS[1:])
    back, _ = _view("tiny-style", 5, basis=basis, pcs=ZEROS)
    assert not np.array_equal(moved, base) and np.array_equal(back, base)
    assert strip.shape[1] > 5 * strip.shape[0]  # a row of 9 frames
    d = style.w_directions(basis)
    assert d.vectors.shape == (explore.DIRECTIONS, 8)
    torch.testing.assert_close(d.vectors @ d.vectors.T, torch.eye(explore.DIRECTIONS), atol=1e-4, rtol=0)
    shift = explore.point(style, 5, offsets=[2.0], basis=basis).w - explore.point(style, 5).w
    for layer in range(style.generator.latent.num_layers):  # the same move in every layer's w, in sigma
        torch.testing.assert_close(shift[0, layer], 2.0 * d.scales[0] * d.vectors[0], atol=1e-5, rtol=1e-5)


def test_ganspace_and_sefa_are_different_bases(style):
    g, s = style.w_directions("ganspace"), style.w_directions("sefa")
    assert g.space == "w" and s.space == "sefa"
    assert not torch.allclose(g.vectors.abs(), s.vectors.abs(), atol=1e-3)


def test_a_w_model_strips_along_w_directions_only(style):
    assert explore.direction_names(style) == [f"PC{i + 1}" for i in range(explore.DIRECTIONS)]
    with pytest.raises(GanLabError, match="unknown direction 'z\\[0\\]'"):
        explore.direction_vector(style, "z[0]")
    with pytest.raises(GanLabError, match="directions must be one of ganspace, sefa"):
        explore.point(style, 1, offsets=[1.0], basis="ica")


# -- noise -----------------------------------------------------------------------------------------


def test_resample_noise_only_keeps_w_and_changes_the_texture(zoo, style):
    lat = explore.point(style, 6)
    same = _array(explore.show(style, lat))
    other = _array(explore.show(style, lat, noise_seed=123))
    assert not np.array_equal(same, other)
    assert np.array_equal(_view("tiny-style", 6, noise=123)[0], other)  # the tab: same latents, noise 123
    assert np.array_equal(_view("tiny-style", 6, noise=None)[0], same)
    torch.testing.assert_close(explore.point(style, 6).w, lat.w)  # the noise never touches w
    from ganlab.ui.tabs import explore_actions as et

    assert 0 <= et.resample_noise() < 2**31
    with pytest.raises(gr.Error, match="noise seed must be a whole number"):
        et.view("tiny-style", 6, 1.0, None, "PC1", 3.0, "ganspace", False, -5, *ZEROS)


def test_the_w_controls_show_only_for_a_w_model(zoo):
    from ganlab.ui.tabs import explore_actions as et
    from ganlab.ui.tabs import interpolate as it

    def visible(name):
        updates = et.choose_checkpoint(name, 0)
        return [u.get("visible") for u in updates[3:7]]  # basis, coarse, resample, noise seed

    assert visible("tiny-style") == [True] * 4 and visible("tiny-gan") == [False] * 4
    updates = et.choose_checkpoint("tiny-style", 0)
    assert updates[3]["value"] == "ganspace" and updates[7]["label"] == "PC1"  # a new model starts at GANSpace
    assert [u["label"] for u in et.relabel_sliders("tiny-style", "sefa")][:2] == ["SeFa 1", "SeFa 2"]
    after_seed = et.reset_controls("tiny-style", 3, 1.0, None, "PC1", 3.0, "sefa", False, None)
    assert after_seed[2]["label"] == "SeFa 1"  # a new seed keeps the basis' names
    methods = lambda name: [v for _, v in it.method_update(et.resolve_checkpoint(name))["choices"]]  # noqa: E731
    assert methods("tiny-style") == ["slerp", "lerp", "lerp-w"] and methods("tiny-gan") == ["slerp", "lerp"]


# -- interpolation in W ----------------------------------------------------------------------------


def test_lerp_in_w_frames_lie_on_a_straight_line(style):
    frames = 7
    lat = interpolation.interpolation_latents(style, 0, 1, frames, "lerp-w", psi=0.8)
    a, b = explore.point(style, 0, 0.8).w[0], explore.point(style, 1, 0.8).w[0]
    for i, t in enumerate(torch.linspace(0, 1, frames)):
        torch.testing.assert_close(lat.w[i], a + t * (b - a), atol=1e-5, rtol=1e-5)
    slerp = interpolation.interpolation_latents(style, 0, 1, frames, "slerp", psi=0.8)
    torch.testing.assert_close(slerp.w[0], a)
    torch.testing.assert_close(slerp.w[-1], b)
    middle = slerp.w[frames // 2] - (a + 0.5 * (b - a))
    assert middle.abs().max() > 1e-3  # slerp in z is not a line in W


def test_a_plain_gan_refuses_lerp_in_w_by_name(zoo):
    plain = explore.open_generator(zoo / "tiny-gan")
    with pytest.raises(GanLabError, match="'lerp-w' .*needs a style-based checkpoint.*use 'slerp' or 'lerp'"):
        interpolation.interpolation(plain, 0, 1, 4, "lerp-w")


# -- the API -------------------------------------------------------------------------------------


def test_generate_and_interpolate_answer_for_a_stylegan_checkpoint(client):
    size = 16 * explore.image_scale(16)
    img = _array(Image.open(client.predict("tiny-style", 3, 0.7, None, api_name="/generate")))
    assert img.shape[:2] == (size, size)
    for method in ("lerp-w", "slerp"):
        path = client.predict("tiny-style", 0, 1, 5, method, 0.9, api_name="/interpolate")
        with Image.open(path) as gif:
            assert gif.format == "GIF" and gif.n_frames == 5 + 3 and gif.size == (size, size)


def test_the_api_refuses_lerp_in_w_for_a_plain_gan_with_a_specific_message(client):
    with pytest.raises(Exception, match="'lerp-w' \\(lerp in W\\) needs a style-based checkpoint"):
        client.predict("tiny-gan", 0, 1, 4, "lerp-w", api_name="/interpolate")
    path = client.predict("tiny-gan", 0, 1, 4, "slerp", api_name="/interpolate")
    assert Image.open(path).n_frames == 4 + 2
