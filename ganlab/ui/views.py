"""Turn a job's Snapshot into what the widgets show: plot tables, images, status and health text.

Pure functions of a snapshot (no gradio), so tests can call them directly.
Curves are averaged into at most ``MAX_POINTS`` buckets: a browser redraws
them twice a second, and a 20,000-point line would make it stutter.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ganlab.render import views as viz
from ganlab.render.images import image_grid
from ganlab.families.gan.health import COL
from ganlab.families.gan.snapshot import Snapshot

MAX_POINTS = 300
LIVE_GRID_PX = 256  # the browser scales the grid up (CSS: pixelated); fewer pixels to encode 2x a second
PLOTS = {
    "loss": (("d_loss", "D loss"), ("g_loss", "G loss")),
    "verdict": (("d_real", "D(x) real"), ("d_fake", "D(G(z)) fake")),
    "grads": (("d_grad_norm", "D grad norm"), ("g_grad_norm", "G grad norm")),
}
STATE_ICONS = {
    "ready": "",
    "running": "▶",
    "paused": "❚❚",
    "finished": "■",
    "stopped": "■",
    "diverged": "✗",
    "error": "✗",
}
COLOURS = ("#3b75af", "#ef8636", "#2ca02c", "#7b3294", "#d62728")
RESTORE_LOSSES = ("pixel L1 (weighted)", "content (weighted)", "G adversarial")  # a restoration run's loss plot
DIVERGENCE_SERIES = {"KL(real‖G) by grid": "#dc5014", "JS by grid": "#c8960a"}  # GAN Lab's two colours


def colour_map(which: str) -> dict[str, str]:
    """Fixed colours for a plot's series (D blue, G orange, the Wasserstein estimate green)."""
    if which == "divergence":
        return dict(DIVERGENCE_SERIES)
    labels = [label for _, label in PLOTS[which]] + (["Wasserstein estimate"] if which == "verdict" else [])
    if which == "loss":  # the same plot shows a restoration run's terms (ganlab.ui.restore_views)
        labels = [labels[0], labels[1], *RESTORE_LOSSES]
    return dict(zip(labels, COLOURS))


def bucket_mean(history: np.ndarray, max_points: int = MAX_POINTS) -> np.ndarray:
    """Average consecutive rows into at most ``max_points`` rows (the last row stays last). NaNs (a
    statistic of a network an iteration did not train) are left out of a bucket's mean; a bucket
    with none of a statistic stays NaN."""
    n = len(history)
    if n <= max_points:
        return np.asarray(history)
    edges = np.linspace(0, n, max_points + 1).astype(int)
    finite = np.isfinite(history)
    sums = np.add.reduceat(np.where(finite, history, 0.0), edges[:-1], axis=0)
    counts = np.add.reduceat(finite.astype(np.int64), edges[:-1], axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        out = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    out[:, COL["step"]] = history[edges[1:] - 1, COL["step"]]
    return out


def plot_frame(history: np.ndarray, which: str, wasserstein: bool = False) -> pd.DataFrame | None:
    """Long-format table (step, value, series) for one of the live line plots; None before any step
    (Gradio's plot stays blank for good if its first value is an empty table)."""
    rows = bucket_mean(history)
    series = list(PLOTS[which])
    if which == "verdict" and wasserstein:
        series.append(("wasserstein", "Wasserstein estimate"))
    parts = [
        pd.DataFrame({"step": rows[:, COL["step"]].astype(int), "value": rows[:, COL[col]], "series": label})
        for col, label in series
    ]
    frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if len(frame):
        frame = frame[np.isfinite(frame["value"].to_numpy(dtype=float))]
    return frame if len(frame) else None


def divergence_frame(snap: Snapshot, max_points: int = MAX_POINTS) -> pd.DataFrame | None:
    """Long-format table (step, value, series) of KL and JS by grid over the run; None for image
    data and before any measurement. Thinned to at most ``max_points`` bucket means per series."""
    rows = np.asarray(snap.divergence, dtype=np.float64).reshape(-1, 3)
    if not len(rows):
        return None
    if len(rows) > max_points:
        edges = np.linspace(0, len(rows), max_points + 1).astype(int)
        means = np.add.reduceat(rows, edges[:-1], axis=0) / np.diff(edges)[:, None]
        means[:, 0] = rows[edges[1:] - 1, 0]  # each bucket at its last step
        rows = means
    labels = list(DIVERGENCE_SERIES)
    frame = pd.concat(
        [
            pd.DataFrame({"step": rows[:, 0].astype(int), "value": rows[:, i + 1], "series": label})
            for i, label in enumerate(labels)
        ],
        ignore_index=True,
    )
    frame = frame[np.isfinite(frame["value"].to_numpy(dtype=float))]
    return frame if len(frame) else None


def main_image(snap: Snapshot, layers=viz.LAYERS) -> np.ndarray | None:
    """The sample grid (images), GAN Lab's 2D view (2D points) or the density chart (1D points)."""
    if snap.density is not None:
        return viz.density_view(snap.density)
    if snap.points is not None:
        return viz.points_view(snap.points, layers)
    if snap.samples is not None:
        return image_grid(snap.samples, target_px=LIVE_GRID_PX)
    return None


def manifold_image(snap: Snapshot) -> np.ndarray | None:
    return viz.manifold_view(snap.points) if snap.points is not None else None


def run_parts(snap) -> list[str]:
    """The status line's start for any family's snapshot: state, step, speed (or time), device."""
    icon = STATE_ICONS.get(snap.state, "")
    return [
        f"**{icon} {snap.state}**",
        f"step **{snap.step:,}** / {snap.total_steps:,}",
        f"**{snap.steps_per_s:,.1f}** steps/s" if snap.state == "running" else f"{snap.wall_time_s:,.1f} s trained",
        f"device `{snap.device}`",
    ]


def status_line(snap, parts: list[str]) -> str:
    """``parts`` joined, with the run's closing message once it has ended."""
    text = " · ".join(parts)
    if snap.message and snap.state in ("finished", "diverged", "error", "stopped"):
        text += f"\n\n{snap.message}"
    return text


def status_markdown(snap: Snapshot) -> str:
    parts = [*run_parts(snap), f"objective `{snap.objective}`"]
    if snap.coverage is not None:
        c = snap.coverage
        parts.append(f"modes **{c.modes_captured}/{c.modes_total}**, high quality **{c.high_quality:.0%}**")
    if snap.classes is not None:
        parts.append(f"classes seen **{snap.classes[0]}/{snap.classes[1]}**")
    if "w_spread" in snap.signals:  # a style-based G: is the mapping alive, how loud is the noise
        s = snap.signals
        parts.append(
            f"w spread **{s['w_spread']:.2f}**, loudest noise **{s['noise_strength']:.2f}** (layer {s['noise_layer']})"
        )
    return status_line(snap, parts)


def health_markdown(snap: Snapshot) -> str:
    if not snap.health:
        if snap.step < 50:
            return "**Health:** nothing to report yet."
        return "**Health:** no problems detected."
    lines = ["**Health**"]
    for w in snap.health:
        mark = "Stopped:" if w.severity == "error" else "Warning:"
        lines.append(f"- {mark} **{w.title}.** {w.message} *Try:* {w.advice}")
    return "\n".join(lines)


def run_status(snap) -> dict:
    """The ``status`` keys every live run has, whatever its family (GAN, StyleGAN, restoration)."""
    return {
        "version": snap.version,
        "state": snap.state,
        "message": snap.message,
        "step": snap.step,
        "total_steps": snap.total_steps,
        "history_rows": int(len(snap.history)),
        "steps_per_s": round(snap.steps_per_s, 2),
        "wall_time_s": round(snap.wall_time_s, 3),
        "device": snap.device,
        "dataset": snap.dataset,
    }


def status_dict(snap: Snapshot) -> dict:
    """A JSON summary for the ``status`` API endpoint (what scripts and tests read)."""
    last = snap.history[-1] if len(snap.history) else None
    out = {
        **run_status(snap),
        "objective": snap.objective,
        "g_lr": snap.g_lr,
        "d_lr": snap.d_lr,
        "data_kind": snap.data_kind,
        "health": [w.kind for w in snap.health],
        "health_text": [w.as_text() for w in snap.health],
    }
    if last is not None:
        out["last"] = {name: (None if np.isnan(last[i]) else float(last[i])) for name, i in COL.items()}
    if snap.coverage is not None:
        out["coverage"] = snap.coverage.as_dict()
    if snap.classes is not None:
        out["classes_seen"], out["classes_total"] = snap.classes
    if snap.signals:
        out["signals"] = dict(snap.signals)
    latest = snap.divergence[-1] if snap.divergence else (None, None, None)
    out["kl_grid"], out["js_grid"] = latest[1], latest[2]  # by grid, nats; None for image data
    return out


# -- races ---------------------------------------------------------------------------------


def race_frame(snap, column: str) -> pd.DataFrame | None:
    """Long-format table (step, value, racer) of one statistic for every racer."""
    parts = []
    for name, hist in zip(snap.names, snap.histories):
        rows = bucket_mean(hist)
        if len(rows):
            parts.append(
                pd.DataFrame({"step": rows[:, COL["step"]].astype(int), "value": rows[:, COL[column]], "racer": name})
            )
    if not parts:
        return None  # see plot_frame: never hand the plot an empty table
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[np.isfinite(frame["value"].to_numpy(dtype=float))]
    return frame if len(frame) else None


def race_gallery(snap, size: int = 320) -> list[tuple[np.ndarray, str]]:
    """One picture per racer (its 2D view or sample grid), captioned with its name and status."""
    out = []
    for i, name in enumerate(snap.names):
        if snap.densities and snap.densities[i] is not None:
            image = viz.density_view(snap.densities[i], width=size * 3 // 2, height=size)
        elif snap.points[i] is not None:
            image = viz.points_view(snap.points[i], ("surface", "real", "fake"), size=size)
        else:
            image = image_grid(snap.samples[i], target_px=size)
        caption = name + (" — diverged" if snap.diverged[i] else "")
        cov = snap.coverage[i]
        if cov is not None:
            caption += f" · modes {cov.modes_captured}/{cov.modes_total}"
        out.append((image, caption))
    return out


def race_status(snap) -> str:
    icon = STATE_ICONS.get(snap.state, "")
    text = (
        f"**{icon} {snap.state}** · step **{snap.step:,}** / {snap.total_steps:,} · "
        f"{len(snap.names)} racers on `{snap.device}` · data `{snap.dataset}`"
    )
    if snap.state == "running":
        text += f" · {snap.steps_per_s:,.1f} rounds/s"
    if snap.message and snap.state in ("finished", "diverged", "error", "stopped"):
        text += f"\n\n{snap.message}"
    return text
