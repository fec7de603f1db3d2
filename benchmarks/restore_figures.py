"""The restoration figures issue #13 asks for, measured on the shipped models and the test splits.

    python benchmarks/restore_figures.py [--only sr4,inpaint,denoise,speed] [--crop artifacts/sr4_crop.png]

- ``sr4``: x4 on the 547 summer2winter test photos (256 -> 64 -> 256): PSNR/SSIM (Y channel) of
  bicubic, ``photo-sr4-psnr`` (SRResNet) and ``photo-sr4`` (SRGAN), and a side-by-side crop
  (bicubic | SRResNet | SRGAN | original) written to ``--crop`` to look at;
- ``inpaint``: ``mnist-inpaint`` with a centred 14x14 hole on the MNIST test split: the shipped
  classifier's accuracy on the masked inputs, the inpainted outputs and the originals;
- ``denoise``: ``fashion-denoise`` at sigma 0.3 on the Fashion-MNIST test split: PSNR/SSIM of the
  noisy input and of the output;
- ``speed``: seconds per 256 px output photo for x4 (a 64 px input) with ``torch`` on 2 threads,
  the median of 20 photos, beside bicubic's seconds on the same photos (the reference).

Every figure comes from ``ganlab.metrics.restore_report``, the code ``python -m ganlab eval`` runs,
so ``eval pretrained/NAME`` prints the same numbers. Needs ``$GANLAB_DATA`` (the test splits).

Measured (December 2026, this 2-core VM, no GPU):

    x4, 547 test photos    bicubic 24.83 dB / 0.619, photo-sr4-psnr 25.65 / 0.670 (+0.81 dB),
                           photo-sr4 24.99 / 0.634 (+0.16 dB, visibly sharper in the crop)
    inpainting             classifier accuracy masked 18.9 %, inpainted 80.1 %, original 98.8 %
    denoising, sigma 0.3   noisy 12.81 dB / 0.348, denoised 20.48 dB / 0.822
    speed                  0.046 s (SRResNet), 0.047 s (SRGAN) per 256 px photo on 2 threads
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from ganlab.families.restore import degrade  # noqa: E402
from ganlab.inference.restore import load_restorer, restore_tensor  # noqa: E402
from ganlab.metrics.restore_report import degraded_pair, evaluate_restorer, restore_all, test_images  # noqa: E402

SR_MODELS = ("photo-sr4-psnr", "photo-sr4")
SPEED_PHOTOS = 20


def sr4(crop_path: Path | None) -> None:
    print("x4 super-resolution, summer2winter test photos (both halves), 256 -> 64 -> 256, Y channel")
    print(f"  {'method':<26}{'PSNR (dB)':>10}{'SSIM':>8}{'vs bicubic':>12}")
    reports = {name: evaluate_restorer(name) for name in SR_MODELS}
    base = reports[SR_MODELS[0]]["baseline"]
    print(f"  {'bicubic':<26}{base['psnr']:>10.2f}{base['ssim']:>8.3f}{'':>12}")
    for name, report in reports.items():
        got = report["restored"]
        print(
            f"  {name + ' (' + report['model'] + ')':<26}{got['psnr']:>10.2f}{got['ssim']:>8.3f}"
            f"{got['psnr'] - base['psnr']:>+11.2f}dB"
        )
    print(f"  ({reports[SR_MODELS[0]]['n']} photos, {sum(r['seconds'] for r in reports.values()):.0f} s)")
    if crop_path:
        write_crop(crop_path)


def write_crop(path: Path, index: int = 5, box: tuple[int, int, int] = (64, 96, 96)) -> None:
    """bicubic | SRResNet | SRGAN | original on one test photo's crop, each scaled x3 to look at."""
    from torchvision.utils import save_image

    clean, _, _ = test_images("summer2winter", None, 3)
    pair = degraded_pair("sr4", clean[index : index + 1], 0.0)
    top, left, side = box
    tiles = [degrade.upscale_bicubic(pair.input)]
    tiles += [restore_all(load_restorer(name), pair) for name in SR_MODELS]
    tiles.append(pair.target)
    crops = [t[..., top : top + side, left : left + side] for t in tiles]
    big = [torch.nn.functional.interpolate(c, scale_factor=3, mode="nearest") for c in crops]
    path.parent.mkdir(parents=True, exist_ok=True)
    save_image(torch.cat(big), path, nrow=len(big), padding=4, pad_value=1.0)
    print(f"  crop (bicubic | SRResNet | SRGAN | original) written to {path}")


def inpaint() -> None:
    report = evaluate_restorer("mnist-inpaint")
    acc = report["classifier_accuracy"]
    print(f"inpainting, MNIST test split ({report['n']}), {report['degradation']}")
    print(
        f"  classifier accuracy: masked {acc['degraded']:.1%}, inpainted {acc['restored']:.1%}, "
        f"original {acc['original']:.1%}; the inpainting closes "
        f"{(acc['restored'] - acc['degraded']) / max(acc['original'] - acc['degraded'], 1e-9):.0%} of the gap"
    )
    print(
        f"  PSNR/SSIM: masked {report['baseline']['psnr']:.2f} / {report['baseline']['ssim']:.3f}, "
        f"inpainted {report['restored']['psnr']:.2f} / {report['restored']['ssim']:.3f}"
    )


def denoise() -> None:
    report = evaluate_restorer("fashion-denoise", sigma=0.3)
    print(f"denoising, Fashion-MNIST test split ({report['n']}), {report['degradation']}")
    print(f"  noisy    PSNR {report['baseline']['psnr']:.2f} dB, SSIM {report['baseline']['ssim']:.3f}")
    print(f"  denoised PSNR {report['restored']['psnr']:.2f} dB, SSIM {report['restored']['ssim']:.3f}")
    acc = report.get("classifier_accuracy")
    if acc:
        print(
            f"  classifier accuracy: noisy {acc['degraded']:.1%}, denoised {acc['restored']:.1%}, "
            f"clean {acc['original']:.1%}"
        )


def speed(threads: int = 2) -> None:
    torch.set_num_threads(threads)
    clean, _, _ = test_images("summer2winter", None, 3)
    small = degrade.downscale4(clean[:SPEED_PHOTOS])
    for name in SR_MODELS:
        r = load_restorer(name)
        restore_tensor(r, small[:1])  # warm-up
        model_s, bicubic_s = [], []
        for i in range(len(small)):
            x = small[i : i + 1]
            t0 = time.perf_counter()
            restore_tensor(r, x)
            model_s.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            degrade.upscale_bicubic(x)
            bicubic_s.append(time.perf_counter() - t0)
        m, b = statistics.median(model_s), statistics.median(bicubic_s)
        print(
            f"speed {name}: {m:.3f} s per 256 px photo (64 px in) on {threads} threads, median of "
            f"{len(small)}; bicubic {b * 1000:.1f} ms (x{m / b:.0f}); target < 0.5 s"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default="sr4,inpaint,denoise,speed")
    parser.add_argument("--crop", type=Path, default=Path("artifacts/sr4_crop.png"))
    args = parser.parse_args()
    for part in args.only.split(","):
        {"sr4": lambda: sr4(args.crop), "inpaint": inpaint, "denoise": denoise, "speed": speed}[part.strip()]()
    return 0


if __name__ == "__main__":
    sys.exit(main())
