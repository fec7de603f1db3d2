"""The Train tab's views for a restoration run: the held-out (input | output | target) rows, its
losses, its status with the held-out PSNR/SSIM beside the trivial baseline, and the status JSON.

Pure functions of a :class:`~ganlab.families.restore.job.RestoreSnapshot` (no gradio), the
restoration twin of :mod:`ganlab.ui.views`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ganlab.families.restore.job import RestoreSnapshot
from ganlab.families.restore.trainer import HISTORY_COLUMNS
from ganlab.ui.views import MAX_POINTS, RESTORE_LOSSES, run_parts, run_status, status_line

COL = {name: i for i, name in enumerate(HISTORY_COLUMNS)}
SERIES = (
    ("l1", RESTORE_LOSSES[0]),
    ("content", RESTORE_LOSSES[1]),
    ("g_adv", RESTORE_LOSSES[2]),
    ("d", "D loss"),
)  # labels: the Train tab's loss plot colours them (views.colour_map)
BASELINES = {"sr4": "bicubic", "denoise": "noisy input", "inpaint": "masked input"}
MAIN_LABEL = "Held-out images: input | restored | target"


def is_restore(snap: object) -> bool:
    return isinstance(snap, RestoreSnapshot)


def main_image(snap: RestoreSnapshot) -> np.ndarray | None:
    return None if snap.triplets is None else np.asarray(snap.triplets)


def loss_frame(snap: RestoreSnapshot) -> pd.DataFrame | None:
    """Long-format (step, value, series) of the losses the model trains with; None before a step."""
    history = snap.history
    if not len(history):
        return None
    edges = np.linspace(0, len(history), min(len(history), MAX_POINTS) + 1).astype(int)
    rows = np.add.reduceat(history, edges[:-1], axis=0) / np.diff(edges)[:, None]
    steps = history[edges[1:] - 1, COL["step"]].astype(int)
    used = [(col, label) for col, label in SERIES if col == "l1" or np.abs(history[:, COL[col]]).max() > 0]
    parts = [pd.DataFrame({"step": steps, "value": rows[:, COL[col]], "series": label}) for col, label in used]
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[np.isfinite(frame["value"].to_numpy(dtype=float))]
    return frame if len(frame) else None


def status_markdown(snap: RestoreSnapshot) -> str:
    parts = [*run_parts(snap), f"`{snap.model}` for `{snap.task}`"]
    s = snap.scores
    if s:
        parts.append(
            f"held-out PSNR **{s['val_psnr']:.2f} dB** / SSIM **{s['val_ssim']:.3f}** "
            f"({BASELINES[snap.task]} {s['baseline_psnr']:.2f} dB / {s['baseline_ssim']:.3f})"
        )
    return status_line(snap, parts)


def health_markdown(snap: RestoreSnapshot) -> str:
    """A paired model's one health question: does it beat doing nothing?"""
    s = snap.scores
    if not s or snap.step < 50:
        return "**Health:** nothing to report yet."
    if s["val_psnr"] < s["baseline_psnr"]:
        return (
            f"**Health**\n- Warning: **behind the baseline.** The held-out PSNR is below the "
            f"{BASELINES[snap.task]}'s. *Try:* train longer, or lower the learning rate."
        )
    return "**Health:** no problems detected (the model beats the baseline on held-out images)."


def status_dict(snap: RestoreSnapshot) -> dict:
    """The ``status`` endpoint's JSON for a restoration run."""
    last = snap.history[-1] if len(snap.history) else None
    out = {
        **run_status(snap),
        "task": snap.task,
        "data_kind": "image",
        "health": [],
        "health_text": [],
        "kl_grid": None,
        "js_grid": None,
    }  # by grid: points data only
    if last is not None:
        out["last"] = {name: float(last[i]) for name, i in COL.items()}
    if snap.scores:
        out["held_out"] = {k: round(float(v), 4) for k, v in snap.scores.items()}
    return out
