"""One call that scores a checkpoint the way ``python -m ganlab eval`` prints it.

2D models: VEEGAN mode coverage on 2,500 samples. Image models: the small
classifier's feature metrics against the data set's held-out test split
(train split where there is none), with the same metrics for real train
images vs the test split beside them, so "FD 3.1" can be read as "vs 0.02
for real data". Inception FID/IS only on request and only with local weights.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import torch

from ganlab.inference.protocol import open_generator
from ganlab.data import canonical_name
from ganlab.errors import DataUnavailable, GanLabError
from ganlab.inference.sample import generate
from ganlab.metrics.classifier import classifier_for
from ganlab.metrics.features import class_histogram, feature_metrics
from ganlab.metrics.splits import SPLIT_SETS, load_split, subsample
from ganlab.metrics.toy2d import SAMPLES, mode_coverage

DEFAULT_N = 10000


def _reference(dataset: str, data_root: str | None, size: int) -> tuple[torch.Tensor | None, torch.Tensor | None, str]:
    """(test images, train images, note) for a labelled set; missing files give a note, not an error."""
    if dataset not in SPLIT_SETS:
        return None, None, f"no real reference for {dataset!r}"
    try:
        test = load_split(dataset, "test", data_root, size).data
        train = load_split(dataset, "train", data_root, size).data
    except DataUnavailable as exc:
        return None, None, f"real data unavailable, distances skipped: {exc}"
    if dataset == "digits":
        return (
            test,
            train,
            ("held-out 20 % of digits (held out from the classifier; a digits GAN usually trains on all 1,797)"),
        )
    return test, train, "test split"


def evaluate_points(g, ckpt, n: int, seed: int) -> dict[str, Any]:
    dataset = ckpt.meta.get("dataset") or {}
    points = generate(g, n or SAMPLES, seed=seed)
    out: dict[str, Any] = {
        "kind": "points",
        "dataset": dataset.get("name"),
        "n": len(points),
        "finite": float(torch.isfinite(points).all(dim=1).double().mean()),
    }
    if dataset.get("modes") and dataset.get("sigma"):
        modes = torch.tensor(dataset["modes"], dtype=torch.float32)
        out["mode_coverage"] = mode_coverage(points, modes, float(dataset["sigma"])).as_dict()
    else:
        out["note"] = "this data set has no mixture modes: mode coverage does not apply"
    return out


def evaluate_images(
    g, ckpt, n: int, seed: int, data_root: str | None, inception: bool, device: torch.device
) -> dict[str, Any]:
    dataset = canonical_name((ckpt.meta.get("dataset") or {}).get("name", ""))
    out: dict[str, Any] = {"kind": "image", "dataset": dataset, "n": n}
    fake = generate(g, n, seed=seed)  # conditional G: all classes in equal shares
    out["finite"] = bool(torch.isfinite(fake).all())
    clf = classifier_for(dataset)
    if clf is None:
        out["note"] = (
            f"no shipped classifier for {dataset!r}: feature metrics need one "
            "(python -m ganlab.metrics.train_classifier)"
        )
    else:
        clf = clf.to(device)
        fake_f, fake_p = clf.features_and_probs(fake)
        out["classifier"] = {"dataset": clf.dataset, "test_accuracy": clf.meta.get("test_accuracy")}
        out["classes"] = dict(class_histogram(fake_p).as_dict(), names=clf.class_names)
        test, train, note = _reference(dataset, data_root, clf.image_size)
        out["reference"] = note
        if test is None:
            from ganlab.metrics.features import inception_score

            is_mean, is_std = inception_score(fake_p)
            out["generated"] = {"is_score": is_mean, "is_std": is_std}
        else:
            real = subsample(test, n)
            fake_n = fake_f[: max(len(real), 2)] if len(real) < n else fake_f
            real_f = clf.features(real)
            out["generated"] = feature_metrics(real_f, fake_n, fake_p[: len(fake_n)])
            train_f, train_p = clf.features_and_probs(subsample(train, len(real), seed=1))
            out["real_vs_real"] = feature_metrics(real_f, train_f, train_p)
            out["real_vs_real"]["n"] = len(real)
    if inception:
        from ganlab.metrics.inception import inception_metrics

        test, _, _ = _reference(dataset, data_root, None)
        if test is None:
            out["inception"] = "Inception FID needs the real data set's files"
        else:
            out["inception"] = inception_metrics(subsample(test, n), fake, device)
    else:
        from ganlab.metrics.inception import find_weights

        out["inception"] = (
            "not requested (add --inception)"
            if find_weights()
            else "not available: no local Inception-v3 weights (see docs/explore.md)"
        )
    return out


def evaluate_checkpoint(
    spec: str | Path,
    n: int | None = None,
    device: str = "cpu",
    seed: int = 0,
    data_root: str | None = None,
    inception: bool = False,
) -> dict[str, Any]:
    """Score a generator checkpoint; the dict is what ``eval --json`` prints."""
    from ganlab.engine.devices import resolve_device

    if n is not None and n < 10:
        raise GanLabError(f"--n: at least 10 samples are needed for the metrics, got {n}")
    dev = resolve_device(device)
    start = time.perf_counter()
    g, ckpt = open_generator(spec, dev)
    data_kind = (ckpt.meta.get("dataset") or {}).get("kind", "image")
    if data_kind == "points":
        result = evaluate_points(g, ckpt, n or SAMPLES, seed)
    else:
        result = evaluate_images(g, ckpt, n or DEFAULT_N, seed, data_root, inception, dev)
    result.update(
        checkpoint=ckpt.name,
        path=str(ckpt.path),
        seed=seed,
        device=str(dev),
        seconds=round(time.perf_counter() - start, 2),
    )
    return result


def format_report(result: dict[str, Any]) -> str:
    """Human-readable lines for the CLI."""
    lines = [
        f"{result['checkpoint']}: {result['kind']} model of {result.get('dataset')}, "
        f"{result['n']} samples, seed {result['seed']} ({result['seconds']} s on {result['device']})"
    ]
    if "mode_coverage" in result:
        mc = result["mode_coverage"]
        lines.append(f"  modes captured    {mc['modes_captured']}/{mc['modes_total']}")
        lines.append(f"  high quality      {mc['high_quality']:.1%} of samples within 3 sigma of a mode")
        lines.append(f"  KL to uniform     {mc['kl_to_uniform']:.3f} nats (0 = every mode equally often)")
    gen, ref = result.get("generated"), result.get("real_vs_real")
    if gen:
        acc = result["classifier"]["test_accuracy"]
        lines.append(
            f"  small-classifier metrics (classifier test accuracy {acc:.2%}); reference: {result.get('reference')}"
        )
        lines.append(f"  {'metric':<14}{'generated':>12}{'real vs real':>14}")
        rows = [
            ("FD", "fd", ".3f"),
            ("KID", "kid", ".5f"),
            ("IS-style", "is_score", ".2f"),
            ("precision", "precision", ".3f"),
            ("recall", "recall", ".3f"),
        ]
        for label, key, fmt in rows:
            if key in gen:
                right = format(ref[key], fmt) if ref and key in ref else "-"
                lines.append(f"  {label:<14}{format(gen[key], fmt):>12}{right:>14}")
    if "classes" in result:
        c = result["classes"]
        shares = ", ".join(f"{name} {share:.0%}" for name, share in zip(c["names"], c["shares"]))
        lines.append(
            f"  classes present   {c['classes_present']}/{c['classes_total']} "
            f"(KL to uniform {c['kl_to_uniform']:.3f}, mean confidence {c['confidence']:.2f})"
        )
        lines.append(f"  class shares      {shares}")
    for key in ("note",):
        if result.get(key):
            lines.append(f"  note: {result[key]}")
    if result.get("reference") and not gen and "classes" in result:
        lines.append(f"  note: {result['reference']}")
    inc = result.get("inception")
    if isinstance(inc, dict) and "fid" in inc:
        lines.append(f"  Inception FID {inc['fid']:.2f}, IS {inc['is']:.2f} ± {inc['is_std']:.2f}")
    elif isinstance(inc, dict):
        lines.append(f"  {inc.get('inception')}")
    elif inc:
        lines.append(f"  Inception: {inc}")
    return "\n".join(lines)
