"""Train the small metric classifier on a data set's train split and ship it.

    python -m ganlab.metrics.train_classifier --dataset mnist --out pretrained/_classifiers/mnist

Reads data through ``ganlab.data`` (``--data-root`` or ``$GANLAB_DATA``),
trains a few epochs with random 2-pixel shifts (generated digits are rarely
perfectly centred), reports accuracy on the held-out test split and writes
``classifier.safetensors`` + ``classifier.json``, including real-vs-real
reference figures (train vs test) for the feature metrics.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F
from safetensors.torch import save_file

from ganlab.engine.checkpoints import atomic_write_bytes
from ganlab.errors import GanLabError
from ganlab.metrics.classifier import META, NATIVE_SIZE, WEIGHTS, Classifier, SmallCNN
from ganlab.metrics.features import feature_metrics
from ganlab.metrics.splits import load_split, subsample


def random_shift(x: torch.Tensor, pixels: int, generator: torch.Generator) -> torch.Tensor:
    """Translate each image by up to ``pixels`` in x and y (background -1 fills the gap)."""
    n, _, h, w = x.shape
    padded = F.pad(x, (pixels,) * 4, value=-1.0)
    dx = torch.randint(0, 2 * pixels + 1, (n,), generator=generator)
    dy = torch.randint(0, 2 * pixels + 1, (n,), generator=generator)
    rows = dy[:, None] + torch.arange(h)[None, :]  # (n, h)
    cols = dx[:, None] + torch.arange(w)[None, :]  # (n, w)
    index = torch.arange(n)[:, None, None]
    # advanced indices around a slice put the indexed dims first: (n, h, w, C)
    return padded[index, :, rows[:, :, None], cols[:, None, :]].permute(0, 3, 1, 2)


@torch.no_grad()
def accuracy(model: SmallCNN, x: torch.Tensor, y: torch.Tensor, batch: int = 1000) -> float:
    model.eval()
    correct = sum(int((model(xb).argmax(1) == yb).sum()) for xb, yb in zip(x.split(batch), y.split(batch)))
    return correct / max(len(y), 1)


def train(
    dataset: str,
    epochs: int = 2,
    batch_size: int = 128,
    lr: float = 2e-3,
    seed: int = 0,
    data_root: str | None = None,
    log=print,
) -> tuple[Classifier, dict]:
    """Train on the train split; return the classifier and its JSON facts (with test accuracy)."""
    size = NATIVE_SIZE.get(dataset)
    if size is None:
        raise GanLabError(f"no classifier recipe for {dataset!r}; known: {', '.join(NATIVE_SIZE)}")
    train_set = load_split(dataset, "train", data_root, size)
    test_set = load_split(dataset, "test", data_root, size)
    x, y = train_set.data, train_set.labels
    torch.manual_seed(seed)
    model = SmallCNN(channels=train_set.shape[0], classes=train_set.num_classes)
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=1e-4)
    steps_per_epoch = (len(x) + batch_size - 1) // batch_size
    sched = torch.optim.lr_scheduler.OneCycleLR(opt, lr, total_steps=epochs * steps_per_epoch)
    gen = torch.Generator().manual_seed(seed)
    start = time.perf_counter()
    for epoch in range(epochs):
        mean_loss = _one_epoch(model, opt, sched, x, y, batch_size, gen)
        log(
            f"epoch {epoch + 1}/{epochs}: loss {mean_loss:.4f}, "
            f"test accuracy {accuracy(model, test_set.data, test_set.labels):.4f}"
        )
    model.eval().requires_grad_(False)
    meta = {
        "dataset": dataset,
        "image_size": size,
        "args": model.args,
        "class_names": train_set.class_names,
        "test_accuracy": round(accuracy(model, test_set.data, test_set.labels), 5),
        "train_accuracy": round(accuracy(model, x, y), 5),
        "train_size": len(x),
        "test_size": len(test_set),
        "epochs": epochs,
        "batch_size": batch_size,
        "lr": lr,
        "seed": seed,
        "wall_time_s": round(time.perf_counter() - start, 1),
        "torch_version": torch.__version__,
        "features": "penultimate ReLU activations (feature_dim); probs: softmax of the head",
    }
    clf = Classifier(model, meta)
    meta["real_vs_real"] = reference_figures(clf, x, test_set.data)
    return clf, meta


def _one_epoch(
    model: torch.nn.Module, opt, sched, x: torch.Tensor, y: torch.Tensor, batch_size: int, gen: torch.Generator
) -> float:
    """One shuffled pass over the train split with random 2 px shifts; the mean loss."""
    model.train()
    order = torch.randperm(len(x), generator=gen)
    steps = (len(x) + batch_size - 1) // batch_size
    total = 0.0
    for i in range(steps):
        index = order[i * batch_size : (i + 1) * batch_size]
        loss = F.cross_entropy(model(random_shift(x[index], 2, gen)), y[index])
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        sched.step()
        total += float(loss.detach())
    return total / steps


def reference_figures(clf: Classifier, train_x: torch.Tensor, test_x: torch.Tensor, n: int = 10000) -> dict:
    """Feature metrics of (up to n) train images against the test split: what 'as good as real' scores."""
    test = subsample(test_x, n)
    train = subsample(train_x, len(test), seed=1)
    real_f = clf.features(test)
    fake_f, fake_p = clf.features_and_probs(train)
    figures = feature_metrics(real_f, fake_f, fake_p)
    return {"n": len(test), **{k: round(v, 6) for k, v in figures.items()}}


def save(clf: Classifier, meta: dict, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    state = {k: v.detach().contiguous().cpu() for k, v in clf.model.state_dict().items()}
    tmp = out / (WEIGHTS + ".tmp")
    save_file(state, str(tmp))
    tmp.replace(out / WEIGHTS)
    atomic_write_bytes(out / META, json.dumps(meta, indent=2).encode())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m ganlab.metrics.train_classifier", description=__doc__.split("\n")[0])
    p.add_argument("--dataset", required=True, choices=sorted(NATIVE_SIZE))
    p.add_argument("--out", required=True, type=Path)
    p.add_argument("--epochs", type=int, default=2)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--lr", type=float, default=2e-3)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--data-root", default=None)
    p.add_argument("--threads", type=int, default=0, help="torch CPU threads (0: torch's default)")
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    try:
        clf, meta = train(args.dataset, args.epochs, args.batch_size, args.lr, args.seed, args.data_root)
    except GanLabError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    save(clf, meta, args.out)
    size_kb = (args.out / WEIGHTS).stat().st_size / 1024
    print(
        f"{args.dataset}: test accuracy {meta['test_accuracy']:.4f} ({meta['test_size']} images), "
        f"{size_kb:.0f} KB -> {args.out}"
    )
    print("real vs real (train vs test):", json.dumps(meta["real_vs_real"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
