"""The restoration family: degradations as defined, PSNR/SSIM as torchmetrics computes them,
inpainting that keeps known pixels, training that lowers the held-out L1, exact resume, and
the ``train`` contract (bad model/task pairs refused by name)."""

from __future__ import annotations

import math

import pytest
import torch
from torchmetrics.functional.image import peak_signal_noise_ratio, structural_similarity_index_measure
from torchvision.transforms.v2 import InterpolationMode
from torchvision.transforms.v2 import functional as TF

from ganlab.cli import main
from ganlab.engine.checkpoints import read_meta
from ganlab.errors import CheckpointError, ConfigError
from ganlab.families import family_for
from ganlab.families.restore import degrade
from ganlab.families.restore.config import RestoreConfig
from ganlab.families.restore.data import CleanImages
from ganlab.families.restore.state import restore_restore, save_restore
from ganlab.families.restore.trainer import RestoreTrainer
from ganlab.metrics.restoration import PSNR_CAP, luma, psnr, ssim


def tiny_data(n: int = 48, size: int = 16) -> CleanImages:
    """Smooth blobs in [0, 1]: learnable in a few dozen steps, no files needed."""
    g = torch.Generator().manual_seed(0)
    yy, xx = torch.meshgrid(torch.linspace(-1, 1, size), torch.linspace(-1, 1, size), indexing="ij")
    centres = torch.rand(n, 2, generator=g) * 1.2 - 0.6
    r = (yy - centres[:, 0, None, None]) ** 2 + (xx - centres[:, 1, None, None]) ** 2
    return CleanImages("blobs", torch.exp(-r / 0.15)[:, None], crop=size, holdout=8)


TINY = dict(
    dataset="blobs", device="cpu", ngf=8, ndf=8, depth=2, n_blocks=1, batch_size=8, holdout=8, lr=2e-3, steps=40
)


# -- degradations ------------------------------------------------------------------------------


def test_downscale4_is_torchvision_bicubic_antialias():
    x = torch.rand(2, 3, 32, 24, generator=torch.Generator().manual_seed(1))
    want = TF.resize(x, [8, 6], interpolation=InterpolationMode.BICUBIC, antialias=True).clamp(0, 1)
    assert degrade.downscale4(x).shape == (2, 3, 8, 6)
    assert torch.equal(degrade.downscale4(x), want)
    with pytest.raises(ValueError, match="multiples of 4"):
        degrade.downscale4(torch.rand(1, 1, 10, 12))


@pytest.mark.parametrize("sigma", [0.05, 0.1, 0.2])
def test_noise_has_the_sigma_asked_for(sigma):
    gray = torch.full((4, 1, 64, 64), 0.5)  # 0.5 +- 5 sigma stays inside [0, 1] for sigma <= 0.1
    noisy = degrade.add_noise(gray, sigma, torch.Generator().manual_seed(0))
    assert noisy.min() >= 0 and noisy.max() <= 1
    tolerance = 0.02 if sigma <= 0.1 else 0.05  # at 0.2 a few samples clip (2.5 sigma)
    assert (noisy - gray).std().item() == pytest.approx(sigma, rel=tolerance)


def test_denoise_pairs_span_the_sigma_range():
    clean = torch.full((256, 1, 8, 8), 0.5)
    pair = degrade.denoise_pair(clean, torch.Generator().manual_seed(0), (0.0, 0.1))
    per_image = (pair.input - clean).flatten(1).std(dim=1)
    assert per_image.min() < 0.02 and 0.08 < per_image.max() < 0.12


def test_masks_are_binary_holes_of_sensible_size():
    g = torch.Generator().manual_seed(3)
    for mask in (degrade.box_mask(8, 32, 32, g, "cpu"), degrade.stroke_mask(8, 32, 32, g, "cpu")):
        assert mask.shape == (8, 1, 32, 32) and set(mask.unique().tolist()) <= {0.0, 1.0}
        share = mask.mean(dim=(1, 2, 3))
        assert (share > 0.01).all() and (share < 0.6).all()


def test_inpaint_input_zeroes_the_hole_and_carries_the_mask():
    clean = torch.rand(4, 3, 16, 16)
    pair = degrade.inpaint_pair(clean, torch.Generator().manual_seed(0), (0, 0))
    assert pair.input.shape == (4, 4, 16, 16)
    assert torch.equal(pair.input[:, 3:], pair.mask)
    assert torch.all(pair.input[:, :3][pair.mask.expand(-1, 3, -1, -1) > 0] == 0)


# -- metrics -------------------------------------------------------------------------------


def test_psnr_ssim_agree_with_torchmetrics_on_known_pairs():
    x = torch.rand(3, 1, 32, 32, generator=torch.Generator().manual_seed(0))
    assert torch.allclose(ssim(x, x), torch.ones(3))
    shifted = x * 0.8 + 0.1  # inside [0, 1]: no clipping
    mse = (shifted - x).square().mean(dim=(1, 2, 3))
    assert torch.allclose(psnr(shifted, x), 10 * torch.log10(1 / mse), atol=1e-4)
    noisy = degrade.add_noise(x, 0.1, torch.Generator().manual_seed(1))
    want = structural_similarity_index_measure(noisy, x, data_range=1.0, reduction="none")
    assert torch.allclose(ssim(noisy, x), want)


def test_rgb_is_scored_on_the_y_channel():
    rgb = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    other = rgb.flip(-1)
    y = luma(rgb)
    assert torch.allclose(y, (16 + 65.481 * rgb[:, :1] + 128.553 * rgb[:, 1:2] + 24.966 * rgb[:, 2:]) / 255)
    want = peak_signal_noise_ratio(luma(other), y, data_range=1.0, reduction="none", dim=(1, 2, 3))
    assert torch.allclose(psnr(other, rgb), want)


def test_an_exact_copy_scores_the_cap_so_a_mean_stays_finite():
    rgb = torch.rand(2, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    mixed = torch.cat([rgb[:1], rgb[1:].flip(-1)])  # one exact copy, one wrong image
    values = psnr(mixed, rgb)
    assert values[0].item() == PSNR_CAP
    assert math.isfinite(values.mean().item()) and values[1].item() < 40


# -- training --------------------------------------------------------------------------------


def test_inpainting_leaves_pixels_outside_the_mask_unchanged():
    trainer = RestoreTrainer(RestoreConfig(model="pix2pix", task="inpaint", **TINY), tiny_data())
    restored = trainer.restore_validation()
    pair = trainer.validation_pair
    keep = pair.mask.expand_as(restored) < 0.5
    assert torch.allclose(restored[keep], pair.target[keep], atol=1e-6)  # [0,1] -> [-1,1] -> [0,1]
    assert not torch.allclose(restored[~keep], pair.target[~keep])


@pytest.mark.parametrize("model,task", [("pix2pix", "denoise"), ("srresnet", "sr4")])
def test_a_short_run_lowers_the_validation_l1(model, task):
    torch.manual_seed(0)
    trainer = RestoreTrainer(RestoreConfig(model=model, task=task, **TINY), tiny_data())
    before = trainer.validate()["val_l1"]
    trainer.run(40)
    after = trainer.validate()
    assert after["val_l1"] < 0.8 * before, (before, after)


def test_save_load_resume_is_bit_identical(tmp_path):
    cfg = RestoreConfig(model="srgan", task="sr4", **{**TINY, "dataset": "digits"})
    a = RestoreTrainer(cfg)
    a.run(3)
    save_restore(a, tmp_path / "run")
    b = restore_restore(tmp_path / "run")
    assert b.step_count == 3 and b.content_description == a.content_description
    a.run(3)
    b.run(3)
    for name, net in a.networks.items():
        for (k, va), vb in zip(net.state_dict().items(), b.networks[name].state_dict().values()):
            assert torch.equal(va, vb), f"{name}.{k}"
    assert [s.l1 for s in a.history[-3:]] == [s.l1 for s in b.history[-3:]]


def test_srgan_warm_starts_from_its_srresnet_and_survives_a_resume(tmp_path):
    base = RestoreConfig(model="srresnet", task="sr4", **{**TINY, "dataset": "digits"})
    psnr_run = RestoreTrainer(base)
    psnr_run.run(3)
    save_restore(psnr_run, tmp_path / "srresnet")
    gan = RestoreTrainer(base.updated(model="srgan", init_from=str(tmp_path / "srresnet")))
    for k, v in psnr_run.G.state_dict().items():
        assert torch.equal(v, gan.G.state_dict()[k]), k
    gan.run(2)
    save_restore(gan, tmp_path / "srgan")
    (tmp_path / "srresnet" / "model.safetensors").unlink()  # resuming needs only its own checkpoint
    again = restore_restore(tmp_path / "srgan")
    assert torch.equal(next(iter(again.G.state_dict().values())), next(iter(gan.G.state_dict().values())))
    narrower = base.updated(model="srgan", ngf=base.ngf // 2, init_from=str(tmp_path / "srgan"))
    with pytest.raises(CheckpointError, match="another architecture"):
        RestoreTrainer(narrower)


def test_an_srresnet_grows_wider_and_deeper_computing_what_it_did_then_learns_more(tmp_path):
    base = RestoreConfig(model="srresnet", task="sr4", **{**TINY, "dataset": "digits"})
    small = RestoreTrainer(base)
    small.run(5)
    save_restore(small, tmp_path / "small")
    grown = RestoreTrainer(base.updated(ngf=12, n_blocks=3, init_from=str(tmp_path / "small")))
    assert grown.G.args["width"] == 12 and grown.G.args["n_blocks"] == 3
    x = torch.rand(4, 1, 6, 6) * 2 - 1
    small.G.eval(), grown.G.eval()
    with torch.no_grad():
        assert torch.allclose(small.G(x), grown.G(x), atol=1e-6)  # the same function at the start
    before = {k: v.clone() for k, v in grown.G.state_dict().items()}
    grown.run(3)
    after = grown.G.state_dict()
    new_block = "blocks.2.body.2.weight"  # started at zero: the identity
    assert not torch.equal(before[new_block], after[new_block])
    assert not torch.equal(before["tail.weight"][:, 8:], after["tail.weight"][:, 8:])  # new channels get used


# -- the train contract ----------------------------------------------------------------------


def test_model_picks_the_family_and_bad_pairs_are_refused_by_name():
    assert family_for(model="srgan").name == "restore"
    with pytest.raises(ConfigError, match="model: pix2pix does not do sr4"):
        RestoreConfig(model="pix2pix", task="sr4").validate()
    with pytest.raises(ConfigError, match="model: srresnet does not do inpaint"):
        RestoreConfig(model="srresnet", task="inpaint").validate()
    with pytest.raises(ConfigError, match="task: must be one of"):
        RestoreConfig(task="deblur").validate()


def test_train_contract_end_to_end(tmp_path, capsys):
    out = tmp_path / "run"
    common = [
        "--dataset",
        "digits",
        "--steps",
        "4",
        "--batch-size",
        "4",
        "--ngf",
        "8",
        "--ndf",
        "8",
        "--quiet",
        "--out",
    ]
    assert main(["train", "--model", "pix2pix", "--task", "inpaint", *common, str(out)]) == 0
    meta = read_meta(out)
    assert meta["kind"] == "restore" and meta["task"] == "inpaint" and meta["step"] == 4
    assert (out / "samples.png").is_file() and (out / "losses.csv").is_file()
    assert "held-out PSNR" in capsys.readouterr().out
    assert main(["train", "--model", "srgan", "--task", "denoise", *common, str(tmp_path / "bad")]) == 2
    err = capsys.readouterr().err
    assert "srgan does not do denoise" in err and "Traceback" not in err
    assert not (tmp_path / "bad" / "model.json").exists()


def test_linear_lr_decay_holds_for_half_the_run_then_falls_to_zero():
    cfg = RestoreConfig(model="srresnet", task="sr4", **{**TINY, "dataset": "digits", "steps": 8}, lr_decay="linear")
    rates = [s.lr for s in RestoreTrainer(cfg).run(8)]
    assert rates[:4] == [cfg.lr] * 4 and rates[4] > rates[5] > rates[6] > rates[7] > 0
    with pytest.raises(ConfigError, match="lr_decay: must be one of"):
        cfg.updated(lr_decay="cosine").validate()


def test_the_pixel_loss_can_be_the_mse_psnr_measures():
    with pytest.raises(ConfigError, match="pixel_loss"):
        RestoreConfig(model="srresnet", task="sr4", pixel_loss="l3").validate()
    runs = {}
    for loss in ("l1", "l2"):
        torch.manual_seed(0)
        trainer = RestoreTrainer(RestoreConfig(model="srresnet", task="sr4", pixel_loss=loss, **TINY), tiny_data())
        runs[loss] = trainer.run(1)[0]
    # the same first batch and output: the L2 term is the square of errors the L1 term averages
    assert runs["l2"].l1 < runs["l1"].l1 and runs["l2"].l1 > 0
