"""Plain-language warnings about a live run, each with what to try.

Every check is a plain function of a :class:`HealthInput` (numbers the job
already has: the step history, mode/class coverage over time, sample
diversity) returning a :class:`HealthWarning` or ``None``. ``CHECKS`` lists
them in the order a student should read them; :func:`assess` runs them all.
Thresholds are deliberately conservative: a warning that cries wolf teaches
people to ignore the panel.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ganlab.families.gan.trainer import HISTORY_COLUMNS  # a job's history array: one row per step

COL = {name: i for i, name in enumerate(HISTORY_COLUMNS)}
WARMUP_STEPS = 200  # no collapse verdicts before this: every GAN starts collapsed


@dataclass(frozen=True)
class HealthWarning:
    kind: str  # "divergence" | "vanishing" | "mode-collapse" | "class-collapse" | "diversity" | ...
    severity: str  # "error" | "warning"
    title: str
    message: str  # what is happening, in plain words
    advice: str  # what to try

    def as_text(self) -> str:
        return f"{self.title}: {self.message} Try: {self.advice}"


@dataclass(frozen=True)
class HealthInput:
    history: np.ndarray  # (steps, len(HISTORY_COLUMNS))
    probabilities: bool  # D's outputs are probabilities (BCE objectives)
    objective: str = "nonsaturating"
    stopped_reason: str | None = None
    modes: tuple[tuple[int, int, int], ...] = ()  # (step, modes captured, modes total)
    classes: tuple[tuple[int, int, int], ...] = ()  # (step, classes seen, classes total)
    diversity: tuple[tuple[int, float], ...] = ()  # (step, sample spread / real spread)
    extra: dict = field(default_factory=dict)


def _col(inp: HealthInput, name: str) -> np.ndarray:
    return inp.history[:, COL[name]] if len(inp.history) else np.zeros(0)


def _recent(values: np.ndarray, fraction: float = 0.2, least: int = 20) -> np.ndarray:
    return values[-max(least, int(len(values) * fraction)) :]


# -- the checks ------------------------------------------------------------------------


def divergence(inp: HealthInput) -> HealthWarning | None:
    """NaN/inf stopped the run, or the losses are running away."""
    if inp.stopped_reason:
        return HealthWarning(
            "divergence",
            "error",
            "Training diverged",
            inp.stopped_reason,
            "lower both learning rates (try 2e-4), add a gradient penalty "
            "(wgan-gp) or turn on spectral norm, then press Train again.",
        )
    losses = np.abs(inp.history[:, [COL["d_loss"], COL["g_loss"]]]) if len(inp.history) else None
    if losses is None or len(losses) < 100:
        return None
    early = np.median(losses[:50], axis=0) + 1.0
    late = np.median(losses[-20:], axis=0)
    if np.any(late > 50 * early):
        return HealthWarning(
            "divergence",
            "warning",
            "Losses are exploding",
            f"a loss has grown to {late.max():.3g}, over 50x its early value.",
            "pause and lower the learning rates, or stop and add a gradient penalty.",
        )
    return None


def vanishing_gradients(inp: HealthInput) -> HealthWarning | None:
    """D rejects every fake with confidence and G's gradient has all but vanished."""
    g = _col(inp, "g_grad_norm")
    if len(g) < 100:
        return None
    recent, peak = float(np.median(_recent(g))), float(np.max(g))
    tiny = recent < 1e-4 or (inp.probabilities and recent < 0.05 * peak)
    d_fake = float(np.mean(_recent(_col(inp, "d_fake"))))
    d_wins = d_fake < 0.05 if inp.probabilities else True
    if not (tiny and d_wins):
        return None
    why = (
        f"D gives the fakes D(G(z)) = {d_fake:.3f}, and G's gradient norm fell to "
        f"{recent:.2g} (from a peak of {peak:.2g}), so G has almost nothing to learn from."
    )
    if inp.objective == "minimax":
        advice = (
            "switch the objective to nonsaturating (its G loss stays steep exactly when D wins), "
            "or give D a lower learning rate."
        )
    else:
        advice = "lower D's learning rate or D steps, or add spectral norm / a gradient penalty to D."
    return HealthWarning("vanishing", "warning", "G's gradients have vanished", why, advice)


def _lost_coverage(series: tuple[tuple[int, int, int], ...], warmup: int, min_peak: int, noun: str) -> str | None:
    """What a coverage series (step, covered, total) says went missing: a fall to 60 % of its
    peak, or half or less of the total after 1000 steps; None when neither (or still warming up)."""
    if not series:
        return None
    step, now, total = series[-1]
    peak = max(s[1] for s in series)
    if step < warmup:
        return None
    if peak >= min_peak and now <= 0.6 * peak:
        return f"{now} of {total} {noun}, down from {peak}"
    if step >= 1000 and now <= total // 2:
        return f"only {now} of {total} {noun} after {step} steps"
    return None


def mode_collapse(inp: HealthInput) -> HealthWarning | None:
    """Mixture data: the generator covers fewer modes than it did, or only a few after warm-up."""
    lost = _lost_coverage(inp.modes, WARMUP_STEPS, 3, "modes")
    if lost is None:
        return None
    return HealthWarning(
        "mode-collapse",
        "warning",
        "Mode collapse",
        f"G now covers {lost}: samples are piling onto a few modes.",
        "use the nonsaturating or wgan-gp objective, lower the learning rates, or add spectral norm to D.",
    )


def class_collapse(inp: HealthInput) -> HealthWarning | None:
    """Labelled images: a classifier sees fewer classes in the samples than there are."""
    lost = _lost_coverage(inp.classes, WARMUP_STEPS * 2, 4, "classes")
    if lost is None:
        return None
    return HealthWarning(
        "class-collapse",
        "warning",
        "Classes are missing",
        f"the samples now show {lost}.",
        "lower the learning rates, try hinge or wgan-gp with spectral norm, or train conditionally.",
    )


def low_diversity(inp: HealthInput) -> HealthWarning | None:
    """Samples much less varied than the data (a classifier-free collapse signal)."""
    if not inp.diversity or inp.modes or inp.classes:
        return None  # the sharper signals above already speak
    step, ratio = inp.diversity[-1]
    if step < WARMUP_STEPS or ratio >= 0.25:
        return None
    return HealthWarning(
        "diversity",
        "warning",
        "Samples look alike",
        f"the generated samples vary only {ratio:.0%} as much as the real data.",
        "this is how mode collapse looks: lower the learning rates or add spectral norm.",
    )


def _swings(series: np.ndarray, band: float) -> int:
    """Crossings between the high and low edges of ``band`` around the mean (with hysteresis)."""
    mean, state, count = float(series.mean()), 0, 0
    for v in series:
        level = 1 if v > mean + band else (-1 if v < mean - band else 0)
        if level and level != state:
            count += state != 0
            state = level
    return count


def oscillation(inp: HealthInput) -> HealthWarning | None:
    """D and G take turns winning: the gap D(x) - D(G(z)) swings up and down, slowly."""
    n = len(inp.history)
    if n < 300:
        return None
    gap = _col(inp, "d_real") - _col(inp, "d_fake")
    window = gap[-600:]
    smooth = np.convolve(window, np.ones(25) / 25, mode="valid")
    spread = float(smooth.max() - smooth.min())
    scale = 1.0 if inp.probabilities else float(np.abs(window).mean()) + 1e-8
    if spread < 0.4 * scale:
        return None
    noise = float(np.std(window - np.convolve(window, np.ones(25) / 25, mode="same")))
    band = max(spread / 4, noise / 5)
    if _swings(smooth, band) < 4:
        return None
    return HealthWarning(
        "oscillation",
        "warning",
        "D and G are oscillating",
        "the gap between D(x) and D(G(z)) keeps swinging: one network wins, then the other.",
        "lower the learning rates (G's first), use Adam with beta1 = 0.5, or add spectral norm or R1 to D.",
    )


CHECKS: list[Callable[[HealthInput], HealthWarning | None]] = [
    divergence,
    vanishing_gradients,
    mode_collapse,
    class_collapse,
    low_diversity,
    oscillation,
]


def assess(
    inp: HealthInput, checks: list[Callable[[HealthInput], HealthWarning | None]] | None = None
) -> list[HealthWarning]:
    """Every warning that applies now, most serious first (``checks``: a family's list, else CHECKS)."""
    found = [w for check in (CHECKS if checks is None else checks) if (w := check(inp)) is not None]
    return sorted(found, key=lambda w: w.severity != "error")
