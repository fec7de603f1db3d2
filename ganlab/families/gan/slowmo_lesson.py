"""The lesson built on slow motion: "What one GAN step does".

Its check trains the preset headlessly, then takes one iteration apart with
:func:`~ganlab.families.gan.slowmo.record_iteration` and verifies that what the
captions say is what the step computed: the sub-steps come in GAN Lab's order,
the D loss and G loss quoted are the ones the updates used (the history row of
that step), D's surface changes only at D's update, the update equals a normal
step from the same state bit for bit, and G's arrows point where D's score rises.
"""

from __future__ import annotations

import copy
import re

import torch

from ganlab.families.gan import probes
from ganlab.families.gan.lesson_kit import CheckResult, Lesson, run_config, toy_config
from ganlab.families.gan.slowmo import record_iteration

D_STAGES = ["d.real", "d.fake", "d.scores", "d.loss", "d.update"]
G_STAGES = ["g.noise", "g.fake", "g.scores", "g.loss", "g.grad", "g.update"]
TEXT = (
    "One training iteration is two half-steps, and slow motion shows each part with a caption. D's half: "
    "a batch of real points is drawn; G turns noise into fakes (G is not trained now); D scores both; D's "
    "loss is computed from those scores; its gradient updates D, and only now does D's surface (the "
    "background) change. G's half: fresh noise; new fakes; D, frozen, scores them; G's loss; the gradient "
    "of that loss flows back onto each fake point (the orange arrows: where G wants each point to move, "
    "uphill on D's surface); G's update moves the fakes. Load the lesson, press Train, then Slow-motion step "
    "(or → in presenter mode) and read the eleven sub-steps one at a time. Set *Each iteration trains* to "
    "only D to watch D's half alone."
)


def _quoted(caption: str, label: str) -> float:
    """The number a caption quotes right after ``label`` (e.g. "D's loss: 1.3863")."""
    match = re.search(re.escape(label) + r":\s*(-?[0-9.]+)", caption)
    if match is None:
        raise ValueError(f"no {label!r} figure in caption {caption!r}")
    return float(match.group(1))


def _same_networks(a, b) -> bool:
    return all(
        torch.equal(x, y)
        for name in a.networks
        for x, y in zip(a.networks[name].state_dict().values(), b.networks[name].state_dict().values())
    )


def _arrows_climb(trainer, sub) -> float:
    """Share of fakes whose D score rises a small step along G's arrow (first order: all of them)."""
    fake, grad = sub.tensors["fake"].to(trainer.device), sub.tensors["grad"].to(trainer.device)
    direction = -grad / grad.norm(dim=1, keepdim=True).clamp_min(1e-12)
    with torch.no_grad(), probes._EvalMode(trainer.D):
        before = trainer.D(fake).flatten()
        after = trainer.D(fake + 1e-3 * direction).flatten()
    moving = grad.norm(dim=1) > 1e-9
    return float((after[moving] > before[moving]).float().mean()) if moving.any() else 0.0


def check_one_step(lesson, device: str):
    """Headless check: the captions quote what the step computed (see the module's notes)."""
    run = run_config(lesson.config, lesson.check_steps, device)
    slow_tr, plain_tr = copy.deepcopy(run.trainer), copy.deepcopy(run.trainer)  # the cached run stays as it was
    extent = probes.view_extent(slow_tr.data.sample(1024, torch.Generator(slow_tr.device).manual_seed(0))[0].cpu())
    slow, stats = record_iteration(slow_tr, extent)
    plain_tr.run(1)
    subs = {s.stage: s for s in slow.substeps}
    row = stats[0]
    d_surface = [subs[k].tensors["surface"] for k in D_STAGES]
    fig = {
        "order_ok": [s.stage for s in slow.substeps] == D_STAGES + G_STAGES
        and [s.number for s in slow.substeps] == list(range(1, 12)),
        "d_loss_caption": _quoted(subs["d.loss"].caption, "D's loss"),
        "d_loss_used": row.d_loss,
        "g_loss_caption": _quoted(subs["g.loss"].caption, "G's loss"),
        "g_loss_used": row.g_loss,
        "surface_still_until_update": all((s == d_surface[0]).all() for s in d_surface[:4]),
        "surface_moved_at_update": bool((d_surface[4] != d_surface[0]).any()),
        "same_as_a_normal_step": _same_networks(slow_tr, plain_tr),
        "arrows_climb": _arrows_climb(slow_tr, subs["g.grad"]),
    }
    ok = (
        fig["order_ok"]
        and abs(fig["d_loss_caption"] - row.d_loss) <= 5e-5
        and abs(fig["g_loss_caption"] - row.g_loss) <= 5e-5
        and fig["surface_still_until_update"]
        and fig["surface_moved_at_update"]
        and fig["same_as_a_normal_step"]
        and fig["arrows_climb"] >= 0.9
    )
    return CheckResult(
        ok,
        f"11 sub-steps in order: {fig['order_ok']}; D's loss shown {fig['d_loss_caption']:.4f} "
        f"vs used {row.d_loss:.4f}; G's loss shown {fig['g_loss_caption']:.4f} vs used "
        f"{row.g_loss:.4f}; surface moves only at D's update: "
        f"{fig['surface_still_until_update'] and fig['surface_moved_at_update']}; same update "
        f"as a normal step: {fig['same_as_a_normal_step']}; arrows climb D for "
        f"{fig['arrows_climb']:.0%} of the fakes",
        fig,
    )


def slow_motion_lesson():
    """The lesson, for the LESSONS registry."""
    return Lesson(
        "one-gan-step", "What one GAN step does (slow motion)", TEXT, toy_config(steps=3000), 200, check_one_step
    )
