"""``python -m ganlab eval`` for restoration models: PSNR/SSIM on the held-out test split,
beside the trivial answer each task must beat.

The test images are the data set's test split (MNIST / Fashion-MNIST ``t10k``,
the digits test part, both ``test`` halves of summer2winter at 256 px), never
a training image. Each task degrades them in one fixed, seeded way, so two
runs (and two models) are scored on the same inputs:

- ``sr4``: 256 -> 64 -> 256 (bicubic with antialias), baseline bicubic x4;
- ``denoise``: Gaussian noise of ``sigma`` (default 0.3), baseline the noisy input;
- ``inpaint``: a centred square hole of half the side (14x14 on 28 px), baseline
  the masked input (the hole left black).

Where the project ships a classifier for the set (digits, MNIST, Fashion-MNIST),
its accuracy on the degraded, restored and original images says how much of
what a reader would need the restoration gives back.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch
from torch import Tensor

from ganlab.errors import GanLabError
from ganlab.families.restore import degrade
from ganlab.inference.restore import Restorer, load_restorer, restore_tensor
from ganlab.metrics.restoration import psnr, ssim

DEFAULT_SIGMA = 0.3
HOLE_FRACTION = 0.5  # the centred hole's side, as a fraction of the image side
NOISE_SEED = 0
CHUNK_PIXELS = 64 * 64 * 64  # output pixels per forward pass / score pass: 333 digits or 4 photos of 256 px


def centred_hole(n: int, h: int, w: int, fraction: float = HOLE_FRACTION) -> Tensor:
    """(n, 1, h, w) with a centred square of 1s, ``fraction`` of the shorter side."""
    side = max(1, round(min(h, w) * fraction))
    top, left = (h - side) // 2, (w - side) // 2
    mask = torch.zeros(n, 1, h, w)
    mask[:, :, top : top + side, left : left + side] = 1
    return mask


def test_images(dataset: str, data_root: str | None, channels: int) -> tuple[Tensor, Tensor | None, str]:
    """The held-out images in [0, 1] (N, C, H, W), their labels (or None), and a description."""
    from ganlab.data.named import is_unpaired

    if is_unpaired(dataset):
        from ganlab.data.unpaired import load_unpaired

        photos = load_unpaired(dataset, data_root, 256, 256, None, flip=False, split="test")
        clean = torch.cat([photos.a, photos.b]).float().div(255)
        return clean, None, f"{photos.name} test photos (both halves, {len(clean)}) at 256 px"
    from ganlab.data import canonical_name
    from ganlab.families.restore.data import NATIVE_SIZE
    from ganlab.metrics.splits import load_split

    name = canonical_name(dataset)
    source = load_split(name, "test", data_root, NATIVE_SIZE.get(name))
    clean = source.data.add(1).div(2).clamp(0, 1)
    if clean.shape[1] != channels:
        raise GanLabError(f"{dataset} has {clean.shape[1]} channel(s) but the model takes {channels}")
    return clean, source.labels, source.description


def degraded_pair(task: str, clean: Tensor, sigma: float) -> degrade.Pair:
    """The fixed degradation eval scores (see the module's notes)."""
    if task == "sr4":
        h, w = clean.shape[-2:]
        clean = clean[..., : h - h % 4, : w - w % 4]
        return degrade.Pair(degrade.downscale4(clean), clean)
    if task == "denoise":
        return degrade.Pair(degrade.add_noise(clean, sigma, torch.Generator().manual_seed(NOISE_SEED)), clean)
    n, _, h, w = clean.shape
    mask = centred_hole(n, h, w)
    return degrade.Pair(degrade.apply_hole(clean, mask), clean, mask)


def chunk_size(images: Tensor) -> int:
    """Images per pass so that activations stay bounded (a few hundred MB) at any image size."""
    return max(1, CHUNK_PIXELS // (images.shape[-1] * images.shape[-2]))


def restore_all(r: Restorer, pair: degrade.Pair) -> Tensor:
    """G on every degraded image, a chunk at a time, in [0, 1] on the CPU."""
    outs, step = [], chunk_size(pair.target)
    for i in range(0, len(pair.target), step):
        if r.task == "inpaint":
            x, hole = pair.target[i : i + step], pair.mask[i : i + step]
            outs.append(restore_tensor(r, x.to(r.device), hole.to(r.device)).cpu())
        else:
            outs.append(restore_tensor(r, pair.input[i : i + step].to(r.device)).cpu())
    return torch.cat(outs)


def _score(pred: Tensor, target: Tensor) -> dict[str, float]:
    """Mean per-image PSNR and SSIM, scored a chunk at a time (SSIM keeps several maps per image)."""
    step = chunk_size(target)
    p = torch.cat([psnr(pred[i : i + step], target[i : i + step]) for i in range(0, len(target), step)])
    s = torch.cat([ssim(pred[i : i + step], target[i : i + step]) for i in range(0, len(target), step)])
    return {"psnr": round(float(p.mean()), 3), "ssim": round(float(s.mean()), 4)}


def classifier_accuracy(dataset: str, labels: Tensor | None, images: dict[str, Tensor]) -> dict[str, float] | None:
    """The shipped classifier's accuracy on each image set (in [0, 1]), or None without one."""
    from ganlab.metrics.classifier import classifier_for

    clf = classifier_for(dataset)
    if clf is None or labels is None:
        return None
    return {name: round(float((clf.predict(x * 2 - 1) == labels).float().mean()), 4) for name, x in images.items()}


def evaluate_restorer(
    spec: str | Path,
    n: int | None = None,
    device: str = "cpu",
    data_root: str | None = None,
    sigma: float | None = None,
    dataset: str | None = None,
) -> dict[str, Any]:
    """Score a restoration checkpoint on its data set's test split; the dict ``eval --json`` prints."""
    from ganlab.engine.devices import resolve_device

    start = time.perf_counter()
    r = load_restorer(spec, resolve_device(device))
    dataset = dataset or r.dataset
    if not dataset:
        raise GanLabError(f"{r.name}: the checkpoint does not say what it was trained on")
    sigma = DEFAULT_SIGMA if sigma is None else float(sigma)
    if not 0 <= sigma <= 1:
        raise GanLabError(f"--sigma: must be in [0, 1] (intensity units); got {sigma:g}")
    clean, labels, description = test_images(dataset, data_root, r.channels)
    if n is not None:
        clean, labels = clean[:n], None if labels is None else labels[:n]
    pair = degraded_pair(r.task, clean, sigma)
    restored = restore_all(r, pair)
    base = degrade.baseline(r.task, pair)
    result: dict[str, Any] = {
        "kind": "restore",
        "task": r.task,
        "model": r.model,
        "dataset": dataset,
        "n": len(clean),
        "reference": description,
        "degradation": _degradation(r.task, sigma, clean.shape[-1]),
        "restored": _score(restored, pair.target),
        "baseline": _score(base, pair.target),
        "baseline_name": BASELINE_NAMES[r.task],
    }
    accuracy = classifier_accuracy(dataset, labels, {"degraded": base, "restored": restored, "original": clean})
    if accuracy is not None:
        result["classifier_accuracy"] = accuracy
    result.update(
        checkpoint=r.name, path=str(spec), device=str(r.device), seconds=round(time.perf_counter() - start, 2)
    )
    return result


BASELINE_NAMES = {"sr4": "bicubic x4", "denoise": "noisy input", "inpaint": "masked input"}


def _degradation(task: str, sigma: float, side: int) -> str:
    if task == "sr4":
        return f"{side} -> {side // 4} -> {side} px (bicubic, antialias)"
    if task == "denoise":
        return f"Gaussian noise, sigma {sigma:g} (seed {NOISE_SEED})"
    hole = max(1, round(side * HOLE_FRACTION))
    return f"centred {hole}x{hole} hole"


def format_restore_report(result: dict[str, Any]) -> str:
    """The lines ``eval`` prints for a restoration model."""
    lines = [
        f"{result['checkpoint']}: {result['model']} {result['task']} model of {result['dataset']}, "
        f"{result['n']} test images ({result['seconds']} s on {result['device']})",
        f"  degradation       {result['degradation']}",
        f"  {'':<18}{'PSNR (dB)':>10}{'SSIM':>8}",
    ]
    for label, key in ((result["baseline_name"], "baseline"), ("restored", "restored")):
        lines.append(f"  {label:<18}{result[key]['psnr']:>10.2f}{result[key]['ssim']:>8.3f}")
    acc = result.get("classifier_accuracy")
    if acc:
        lines.append("  classifier accuracy  " + ", ".join(f"{k} {v:.1%}" for k, v in acc.items()))
    return "\n".join(lines)
