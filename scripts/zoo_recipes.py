"""The shipped model zoo's recipes: the ``train`` flags of each checkpoint in ``pretrained/`` and
the model cards of the restoration models. Data only; ``train_zoo.py`` runs them."""

from __future__ import annotations


def _gray_28_dcgan(dataset: str, *extra: str) -> list[str]:
    """The shipped 28 px DCGANs (mnist, fashion): width 96, 25,000 steps, rates linear to 0, EMA."""
    return [
        *("--dataset", dataset, "--steps", "25000", "--lr-decay", "linear", "--batch-size", "128"),
        *("--width", "96", "--z-dim", "64", "--ema", "0.999", "--seed", "0", *extra),
    ]


# issue #17: R1 in a D without BatchNorm (G keeps its BatchNorm) beat the BatchNorm D on every figure:
# FD 1.15 vs 1.41, precision / recall 0.770 / 0.882 vs 0.752 / 0.873 at 25,000 steps (README figures)
R1_NO_BN_D = ("--d-norm", "none", "--r1-weight", "1", "--r1-every", "8")


# name -> (train flags, device class): "cpu" recipes finish in minutes on a laptop CPU,
# "gpu" recipes are sized for one GPU (they also run on a CPU, slowly).
RECIPES: dict[str, tuple[list[str], str]] = {
    "ring": (["--dataset", "ring8", "--seed", "0"], "cpu"),  # the preset: 12,000 steps, lazy R1
    "digits": (
        [
            "--dataset",
            "digits",
            "--steps",
            "4000",
            "--batch-size",
            "64",
            "--width",
            "64",
            "--z-dim",
            "32",
            "--ema",
            "0.999",
            "--seed",
            "0",
        ],
        "cpu",
    ),
    "mnist": (_gray_28_dcgan("mnist", *R1_NO_BN_D), "gpu"),
    "fashion": (_gray_28_dcgan("fashion"), "gpu"),
    # the StyleGAN digits preset (16 px, channels 16, EMA 0.99, 1,500 steps): a style checkpoint that
    # ships offline, so Explore in W, lerp in W and the Style mixing tab work on a fresh machine
    "digits-style": (["--dataset", "digits", "--model", "stylegan", "--seed", "0"], "cpu"),
    # the StyleGAN mnist / fashion presets (28 px, channels 16, batch 32, EMA 0.999) trained longer, with the
    # rates constant for half the run, then linear to 0 (about 2 h each on one CPU thread)
    "mnist-style": (
        ["--dataset", "mnist", "--model", "stylegan", "--steps", "30000", "--lr-decay", "linear", "--seed", "0"],
        "gpu",
    ),
    "fashion-style": (
        ["--dataset", "fashion", "--model", "stylegan", "--steps", "25000", "--lr-decay", "linear", "--seed", "0"],
        "gpu",
    ),
    # restoration (issue #13): pix2pix U-Nets for 28 px digits and clothes, then the x4 twins on photos:
    # the SRResNet (pixel loss only), and the SRGAN warm-started from it (content + 1e-3 adversarial)
    "fashion-denoise": (
        [
            "--dataset",
            "fashion",
            "--model",
            "pix2pix",
            "--task",
            "denoise",
            "--steps",
            "8000",
            "--ngf",
            "32",
            "--max-images",
            "60000",
            "--seed",
            "0",
        ],
        "cpu",
    ),
    "mnist-inpaint": (
        [
            "--dataset",
            "mnist",
            "--model",
            "pix2pix",
            "--task",
            "inpaint",
            "--steps",
            "8000",
            "--ngf",
            "32",
            "--max-images",
            "60000",
            "--seed",
            "0",
        ],
        "cpu",
    ),
    "photo-sr4-psnr": (
        [
            "--dataset",
            "summer2winter",
            "--model",
            "srresnet",
            "--steps",
            "18000",
            "--lr-decay",
            "linear",
            "--batch-size",
            "8",
            "--seed",
            "0",
        ],
        "gpu",
    ),
    "photo-sr4": (
        [
            "--dataset",
            "summer2winter",
            "--model",
            "srgan",
            "--init-from",
            "pretrained/photo-sr4-psnr",
            "--adv-weight",
            "0.003",
            "--steps",
            "1500",
            "--lr-decay",
            "linear",
            "--batch-size",
            "8",
            "--seed",
            "0",
        ],
        "gpu",
    ),
    "mnist-conditional": (
        [
            "--dataset",
            "mnist",
            "--conditional",
            "--conditioning",
            "concat",
            "--steps",
            "15000",
            "--lr-decay",
            "linear",
            "--batch-size",
            "128",
            "--width",
            "96",
            "--z-dim",
            "64",
            "--ema",
            "0.999",
            "--seed",
            "0",
        ],
        "gpu",
    ),
}

# the shipped trained 2D pairs (issue #14): one per 2D set, seed 0, on one CPU thread, shipped whole (G, D,
# Adam moments, RNG) for the Train tab's "start from the shipped trained pair". Constant learning rates: a
# pair annealed to lr 0 (the ring/grid presets' linear decay) is jolted out of balance when a live run
# resumes it at the form's 1e-3 (ring8: 8/8 modes -> 3/8 in 10 steps); one trained at 1e-3 stays converged.
# The shapes' generic preset (2,000 steps, no R1) is too short (blobs: 2/3 modes), so they get 8,000 steps
# and the grid's lazy R1 0.05.
# The shipped grid pair is width 128 (the grid preset's width before it became 256, #16).
PAIR_FLAGS = {"ring8": ["--lr-decay", "none"], "grid25": ["--lr-decay", "none", "--width", "128"]}
SHAPE_FLAGS = ["--steps", "8000", "--r1-weight", "0.05", "--r1-every", "8"]
PAIR_SETS = ("ring8", "grid25", "line", "two-gaussians", "ring", "blobs", "spiral", "moons")
PAIRS = {f"2d-{name}": name for name in PAIR_SETS}
RECIPES.update(
    {
        pair: (["--dataset", name, "--seed", "0", *PAIR_FLAGS.get(name, SHAPE_FLAGS)], "cpu")
        for pair, name in PAIRS.items()
    }
)

# model cards of the restoration models: what each is, what it saw, what it is for (the eval
# figures are added beside them by record_metrics)
CARDS: dict[str, str] = {
    "fashion-denoise": (
        "pix2pix for blind denoising: a U-Net (ngf 32, 3 levels, skips) and a PatchGAN conditioned on the "
        "noisy input, L1 x100 + non-saturating adversarial. Trained on 59,744 Fashion-MNIST train images "
        "(the last 256 held out) with Gaussian noise of sigma ~ U[0, 0.5] per image, so one model serves the "
        "whole sigma slider. Gray 28 px. It removes noise; at high sigma it invents plausible texture."
    ),
    "mnist-inpaint": (
        "pix2pix for inpainting: a U-Net (ngf 32, 3 levels) whose second input channel is the mask, "
        "and a PatchGAN conditioned on the masked input, L1 x100 + adversarial. Trained on 59,744 MNIST train "
        "images (256 held out) with random boxes (25-50 % of each side) and free-form strokes; only the hole "
        "is replaced, every other pixel is returned as it was. Gray 28 px."
    ),
    "photo-sr4-psnr": (
        "SRResNet x4, the PSNR-oriented twin of photo-sr4: 6 residual blocks (ngf 32, no BatchNorm), two "
        "PixelShuffle x2 stages and a bicubic skip, pixel L1 only. Trained on random 96 px crops (+ flips) of "
        "the 2,193 summer2winter train photos (both halves, 32 held out), downscaled x4 with antialiased "
        "bicubic. Any RGB photo; sharpest where photos resemble Yosemite landscapes."
    ),
    "photo-sr4": (
        "SRGAN x4: photo-sr4-psnr's generator, warm-started from it and trained 1,500 more steps with pixel L1 "
        "x1 + a content loss on the features of a fixed random 3-layer conv net (seed 1234: no VGG weights can "
        "be downloaded here) x1 + 3e-3 adversarial (PatchGAN D), on the same crops. 3e-3, not the paper's 1e-3: "
        "beside our pixel term 1e-3 looked no sharper than the SRResNet, and 1e-2 fell below bicubic on the "
        "held-out validation crops. Sharper edges and texture than its twin at a PSNR cost: compare the two in "
        "the Restore tab's demo."
    ),
}
