"""``eval`` for a CycleGAN: how far the held-out photos get into the target domain, and back.

For each direction a checkpoint can translate (an exported model: its own; a training run: both),
on the named set's held-out test photos of the source domain:

- ``cycle_l1``: mean |x - F(G(x))| in [0, 1] intensity units (the round trip; needs the inverse);
- ``target_share``: the share of photos the project's season classifier calls the target domain,
  for the translated photos, the untranslated source photos (where they start) and the real
  target test photos (what "really winter" scores: the classifier's recall on that class);
- ``fd``: Fréchet distance on that classifier's features to the real target test photos, for the
  translated photos and for the untranslated ones, beside real target train photos (the floor);
- ``checkerboard``: :func:`~ganlab.metrics.checkerboard.checkerboard_score` of the translated
  photos and of their sources (JPEG's 8 px blocks give the photos themselves a little).

The classifier is ours (``pretrained/_classifiers/summer2winter``), trained on the train photos
alone: no downloadable network is assumed offline, so the figures compare models scored here,
not papers.
"""

from __future__ import annotations

from typing import Any

import torch
from torch import Tensor

from ganlab.errors import GanLabError
from ganlab.metrics.checkerboard import checkerboard_score
from ganlab.metrics.classifier import Classifier, classifier_for
from ganlab.metrics.features import frechet_distance
from ganlab.metrics.splits import subsample

EVAL_SIZE = 256  # the test photos' own size: translated as a user's photo would be
BATCH = 8


def evaluate_translator(
    spec: str, n: int | None = None, device: str = "cpu", data_root: str | None = None
) -> dict[str, Any]:
    """Score every direction of a CycleGAN checkpoint on the held-out photos (see the module)."""
    from ganlab.engine.checkpoints import load_checkpoint
    from ganlab.engine.devices import resolve_device
    from ganlab.families.cyclegan.io import load_translator

    ckpt = load_checkpoint(spec)
    dataset = (ckpt.meta.get("dataset") or {}).get("name", "")
    clf = classifier_for(dataset)
    if clf is None:
        raise GanLabError(
            f"{ckpt.name}: no season classifier ships for data set {dataset!r}; translation scores are "
            "defined for summer2winter (pretrained/_classifiers/summer2winter)"
        )
    dev = resolve_device(device)
    directions = ["AtoB", "BtoA"] if ckpt.meta.get("generators") else ["AtoB"]
    translators = [load_translator(spec, d, dev) for d in directions]
    photos = _test_photos(dataset, data_root, floors_for={t.target for t in translators})
    reports = [_score_direction(t, photos, clf, n) for t in translators]
    return {
        "kind": "translation",
        "checkpoint": ckpt.name,
        "dataset": dataset,
        "classifier": {"dataset": clf.dataset, "test_accuracy": clf.meta.get("test_accuracy")},
        "reference": "test split",
        "directions": reports,
    }


def _test_photos(dataset: str, data_root: str | None, floors_for: set[str]) -> dict[str, Tensor]:
    """domain name -> its test photos in [-1, 1], and ``train:<name>`` -> the train photos of each
    domain in ``floors_for`` (the targets scored: their FD floor; at the classifier's 64 px)."""
    from ganlab.data.unpaired import load_domain, resolve_spec, to_float

    photos: dict[str, Tensor] = {}
    for split in ("test", "train"):
        path_a, path_b, domains, _ = resolve_spec(dataset, data_root, split)
        for path, name in zip((path_a, path_b), domains):
            if split == "test":
                photos[name] = to_float(load_domain(path, EVAL_SIZE))
            elif name in floors_for:
                photos[f"train:{name}"] = to_float(load_domain(path, 64))
    return photos


@torch.inference_mode()
def _translate(g: torch.nn.Module, x: Tensor) -> Tensor:
    """G over ``x`` in batches, back on the CPU as float32 in [-1, 1]."""
    device = next(g.parameters()).device
    return torch.cat([g(chunk.to(device)).float().clamp(-1, 1).cpu() for chunk in x.split(BATCH)])


def _score_direction(translator, photos: dict[str, Tensor], clf: Classifier, n: int | None) -> dict[str, Any]:
    source, target = translator.source, translator.target
    if source not in photos or target not in photos:
        raise GanLabError(f"{translator.name}: its domains {source}/{target} are not those of the data set's photos")
    x = photos[source] if n is None else subsample(photos[source], n)
    fake = _translate(translator.forward.eval(), x)
    cycle = None
    if translator.backward is not None:
        back = _translate(translator.backward.eval(), fake)
        cycle = float((back - x).abs().mean() / 2)  # [-1, 1] -> [0, 1] units
    target_class = clf.class_names.index(target)
    real_target = photos[target]
    real_f = clf.features(real_target)
    floor = subsample(photos[f"train:{target}"], len(real_target), seed=1)

    def share(images: Tensor) -> float:
        return float((clf.predict(images) == target_class).float().mean())

    return {
        "direction": f"{source} → {target}",
        "source": source,
        "target": target,
        "n": len(x),
        "cycle_l1": cycle,
        "target_share": {"translated": share(fake), "source_real": share(x), "target_real": share(real_target)},
        "fd": {
            "translated": frechet_distance(real_f, clf.features(fake)),
            "source_real": frechet_distance(real_f, clf.features(x)),
            "target_train": frechet_distance(real_f, clf.features(floor)),
        },
        "checkerboard": {"translated": checkerboard_score(fake), "source_real": checkerboard_score(x)},
    }


def format_translation_report(result: dict[str, Any]) -> str:
    """The report as the CLI prints it: one block per direction."""
    acc = result["classifier"].get("test_accuracy")
    lines = [
        f"{result['checkpoint']}: CycleGAN on {result['dataset']} held-out test photos "
        f"(season classifier, test accuracy {acc:.3f})"
    ]
    for r in result["directions"]:
        share, fd = r["target_share"], r["fd"]
        cycle = "n/a (no inverse)" if r["cycle_l1"] is None else f"{r['cycle_l1']:.4f}"
        lines += [
            f"  {r['direction']} on {r['n']} {r['source']} photos:",
            f"    called {r['target']}: translated {share['translated']:.1%}  "
            f"(untranslated {share['source_real']:.1%}, real {r['target']} {share['target_real']:.1%})",
            f"    FD to real {r['target']}: translated {fd['translated']:.3f}  "
            f"(untranslated {fd['source_real']:.3f}, real {r['target']} train photos {fd['target_train']:.3f})",
            f"    round-trip L1 (0-1 units): {cycle}",
            f"    checkerboard (1 = none): translated {r['checkerboard']['translated']:.2f}  "
            f"(the photos themselves {r['checkerboard']['source_real']:.2f})",
        ]
    return "\n".join(lines)
