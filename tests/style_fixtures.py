"""The tiny StyleGAN the tests train (a few seconds on one CPU thread), as a config and as the
CLI flags that give the same model, so each test file does not spell it out again."""

from __future__ import annotations

TINY = dict(
    dataset="digits",
    device="cpu",
    channels=4,
    z_dim=8,
    w_dim=8,
    mapping_layers=2,
    batch_size=8,
    steps=100,
    snapshot_every=10,
)
# `python -m ganlab train --dataset digits --model stylegan` flags for TINY's model (its steps are the caller's)
TINY_FLAGS = [
    "--channels",
    "4",
    "--z-dim",
    "8",
    "--w-dim",
    "8",
    "--mapping-layers",
    "2",
    "--batch-size",
    "8",
    "--device",
    "cpu",
    "--quiet",
]


def train_tiny_style(out, steps: int, *extra: str) -> int:
    """``python -m ganlab train`` of TINY's model on digits into ``out``, in process; its exit code."""
    from ganlab.cli import main

    command = ["train", "--dataset", "digits", "--model", "stylegan", "--steps", str(steps), "--out", str(out)]
    return main([*command, *TINY_FLAGS, *extra])
