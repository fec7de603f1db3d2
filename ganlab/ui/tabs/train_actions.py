"""What the Train tab's buttons and timer do: one plain function per event, so the layout
(:mod:`ganlab.ui.tabs.train`) only places components and wires them to these (what fills the
form is :mod:`ganlab.ui.tabs.form_actions`).

Each handler's parameter names and docstring are its API endpoint's (Gradio reads them), so
keep them: the endpoint names and parameters are contracts (docs/ui.md).
"""

import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr
import numpy as np

from ganlab.errors import GanLabError
from ganlab.families.gan.job import TrainingJob
from ganlab.paths import runs_dir, safe_run_name
from ganlab.render import views as viz
from ganlab.render.overview import overview_image
from ganlab.ui import controls, explain, form_shown, restore_views, sessions
from ganlab.ui.numbers import whole_number
from ganlab.ui import views as render


VIEWS = ("main", "manifold", "loss", "verdict", "grads", "status", "health", "divergence", "morph", "overview")


def _outputs_for(snap, layers, morph_t: float = 1.0) -> list:
    """Every live view for one snapshot, in VIEWS order (a restoration run: its triplets and losses)."""
    if restore_views.is_restore(snap):
        return [
            restore_views.main_image(snap),
            None,
            restore_views.loss_frame(snap),
            None,
            None,
            restore_views.status_markdown(snap),
            restore_views.health_markdown(snap),
            None,
            None,
            None,
        ]
    wasserstein = snap.is_wgan
    return [
        render.main_image(snap, layers),
        render.manifold_image(snap),
        render.plot_frame(snap.history, "loss"),
        render.plot_frame(snap.history, "verdict", wasserstein),
        render.plot_frame(snap.history, "grads"),
        render.status_markdown(snap),
        render.health_markdown(snap),
        render.divergence_frame(snap),
        _morph_image(snap, morph_t, layers),
        overview_image(snap),
    ]


def _morph_image(snap, t, layers=viz.LAYERS) -> "np.ndarray | None":
    """The manifold morph at ``t`` for a 2D run with a noise lattice, else None (the *real points*
    layer switches the real points off here too)."""
    points = getattr(snap, "points", None)
    if points is None or getattr(points, "lattice", None) is None:
        return None
    from ganlab.render.morph import morph_view

    return morph_view(
        points,
        float(np.clip(t if t is not None else 1.0, 0, 1)),
        show_real="real" in (layers if layers is not None else viz.LAYERS),
    )


def _status_text(snap) -> str:
    """The status line for any family's snapshot."""
    return restore_views.status_markdown(snap) if restore_views.is_restore(snap) else render.status_markdown(snap)


def _buttons(state: str) -> list:
    """(pause, resume) visibility for a job state."""
    return [gr.update(visible=state != "paused"), gr.update(visible=state == "paused")]


def _wait_for(job: TrainingJob, done, timeout: float = 2.0) -> None:
    """Give the training thread a moment to publish the snapshot a control asked for."""
    deadline = time.monotonic() + timeout
    while not done(job.snapshot) and job.alive and time.monotonic() < deadline:
        time.sleep(0.01)


def _need_job(job: TrainingJob | None) -> TrainingJob:
    if job is None:
        raise GanLabError("no run yet: press Train first")
    return job


def kind_updates(points: bool, restoring: bool = False, one_d: bool = False) -> list:
    """The main view's label and text, the 2D layer picker, and the points-only rows (manifold, morph,
    divergence), for the kind of run (1D points: the density chart and the divergence only)."""
    if restoring:
        return [gr.update(label=restore_views.MAIN_LABEL), explain.RESTORE_TRIPLETS, *[gr.update(visible=False)] * 4]
    if one_d:
        return [
            gr.update(label="Densities, D and the optimal D* (1D)"),
            explain.SAMPLES_1D,
            *[gr.update(visible=False)] * 3,
            gr.update(visible=True),
        ]
    return [
        gr.update(label="Real vs generated (2D)" if points else "Samples from fixed noise"),
        explain.SAMPLES_POINTS if points else explain.SAMPLES_IMAGES,
        *[gr.update(visible=points)] * 4,
    ]


@sessions.friendly
def train(
    job,
    layers_value,
    request: gr.Request,
    upload=None,
    drawing=None,
    from_pretrained=False,
    preset_defaults=True,
    form_shows="",
    **values,
):
    """Start a new run with the form's settings (stops this session's previous run); with
    from_pretrained, a 2D set starts from its shipped trained pair (converged at step 0). With
    preset_defaults (the default for scripts), every parameter left out takes the data set's
    recommended preset; pass preset_defaults=False to use the values exactly as given.
    form_shows is the browser form's note of what it was last filled with (ganlab.ui.form_shown):
    a click that outran the fill for a new data set or model still trains that one's preset."""
    values = form_shown.unstale(values, form_shows, upload)
    if upload:
        upload = sessions.check_uploads(upload)[0]  # empty or over the upload cap: say so before reading
    if preset_defaults:
        values = controls.drop_api_defaults(values)
    cfg = controls.config_from_form(upload=upload, drawing=drawing, **values)
    options = controls.start_options(cfg, from_pretrained)
    sessions.close_run(job)
    job = controls.family_of(cfg).start(cfg, **options)
    sessions.remember(request, "train", job)
    snap = job.snapshot
    restoring = restore_views.is_restore(snap)
    return [
        job,
        snap.version,
        *_outputs_for(snap, layers_value or viz.LAYERS),
        *_buttons("running"),
        *kind_updates(
            not restoring and snap.data_kind == "points", restoring, getattr(snap, "density", None) is not None
        ),
    ]


def refresh(job, seen_version, layers_value, morph_t=1.0):
    """Timer tick: redraw when the job published a new snapshot, else change nothing."""
    if job is None or job.snapshot.version == seen_version:
        return gr.skip()
    snap = job.snapshot
    return [snap.version, *_outputs_for(snap, layers_value or (), morph_t), *_buttons(snap.state)]


@sessions.friendly
def overview_api(job):
    """The model overview graph of this session's run, as an image: noise z -> G -> fakes; real samples;
    both -> D -> verdicts -> the two losses -> gradients back to each network, with live thumbnails."""
    job = _need_job(job)
    if restore_views.is_restore(job.snapshot):
        raise GanLabError(
            "the overview graph shows a GAN's data flow; a restoration run's is its input | restored | target rows"
        )
    return overview_image(job.snapshot)


def morph(job, t, layers_value=None):
    """The t slider: the manifold morph of the run's latest snapshot at ``t``."""
    return _morph_image(job.snapshot, t, layers_value) if job is not None else None


@sessions.friendly
def morph_gif(job):
    """The manifold morph from t = 0 (the noise grid) to t = 1 (G's manifold) as a GIF, for a 2D run."""
    points = getattr(_need_job(job).snapshot, "points", None)
    if points is None or getattr(points, "lattice", None) is None:
        raise GanLabError("the manifold morph shows how G bends a 2D noise grid: train on a 2D data set first")
    from ganlab.render.morph import morph_gif as make_gif

    path = Path(tempfile.mkdtemp(prefix="ganlab-")) / "morph.gif"
    path.write_bytes(make_gif(points))
    return str(path)


@sessions.friendly
def pause(job):
    """Pause training (the thread waits; nothing is lost)."""
    _need_job(job).pause()
    _wait_for(job, lambda snap: snap.state != "running")
    return [_status_text(job.snapshot), *_buttons("paused")]


def _iteration_changes(job, d_steps, g_steps, phase) -> dict:
    """D/G steps per iteration and which networks train, for a GAN run (a StyleGAN run and a
    restoration run keep their own step: an edit left at its default is not an error there)."""
    settings = getattr(job, "live_settings", ())
    changes = {
        "d_steps": whole_number("d_steps", d_steps) if d_steps is not None else None,
        "g_steps": whole_number("g_steps", g_steps) if g_steps is not None else None,
        "phase": phase,
    }
    defaults = {"d_steps": 1, "g_steps": 1, "phase": "both"}
    refused = [k for k, v in changes.items() if v is not None and k not in settings and v != defaults[k]]
    if refused:
        raise GanLabError(
            f"{refused[0]}: this run's model takes one D and one G update per iteration, "
            "both networks (the MLP and DCGAN models take these settings)"
        )
    return {k: v for k, v in changes.items() if k in settings}


@sessions.friendly
def resume(job, g_lr, d_lr, objective, d_steps=None, g_steps=None, phase=None):
    """Continue; learning rates, objective, D/G steps per iteration and the networks to train
    (phase: both, d or g) edited while paused apply now."""
    _need_job(job).resume(g_lr=g_lr, d_lr=d_lr, objective=objective, **_iteration_changes(job, d_steps, g_steps, phase))
    _wait_for(job, lambda snap: snap.state != "paused")
    return [_status_text(job.snapshot), *_buttons(job.state)]


@sessions.friendly
def toggle(job, g_lr, d_lr, objective, d_steps=None, g_steps=None, phase=None):
    """Pause a running run, else resume it: presenter mode's space bar. Deciding here, in the
    order the presses arrive, makes a quick double press pause and resume; deciding in the page
    clicked whichever button it still showed, so the second press paused again."""
    if _need_job(job).state == "running":
        return pause(job)
    return resume(job, g_lr, d_lr, objective, d_steps, g_steps, phase)


@sessions.friendly
def step(job, g_lr, d_lr, objective, d_steps=None, g_steps=None, phase=None):
    """One training iteration (pauses a running job first); phase picks the networks it trains
    (both, d: only D, g: only G)."""
    job = _need_job(job)
    before = job.snapshot.step
    job.step(1, g_lr=g_lr, d_lr=d_lr, objective=objective, **_iteration_changes(job, d_steps, g_steps, phase))
    _wait_for(job, lambda snap: snap.step > before, timeout=10)
    return [_status_text(job.snapshot), *_buttons(job.state)]


@sessions.friendly
def live_edit(job, d_steps, g_steps, phase):
    """D/G steps per iteration or the networks to train, changed while a run is live."""
    if job is not None and job.state not in ("finished", "stopped", "diverged", "error"):
        job.update(**_iteration_changes(job, d_steps, g_steps, phase))


def controls_now(job):
    """The status line and pause/resume buttons as they are now (after a slow step)."""
    if job is None:
        return [gr.skip(), gr.skip(), gr.skip()]
    return [_status_text(job.snapshot), *_buttons(job.state)]


@sessions.friendly
def stop(job):
    """Stop for good; the views keep the last state."""
    _need_job(job).stop()
    return [_status_text(job.snapshot), *_buttons(job.state)]


def reset(job):
    """Throw the run away and clear the views."""
    sessions.close_run(job)
    views = dict.fromkeys(VIEWS)
    views.update(status="Reset. Press **Train** to start again.", health="")
    return [None, 0, *views.values(), *_buttons("ready")]


def status_api(job):
    """The latest snapshot as JSON: state, step, steps/s, device, last losses, health."""
    if job is None:
        return {"state": "none", "step": 0, "history_rows": 0}
    snap = job.snapshot
    status = restore_views.status_dict(snap) if restore_views.is_restore(snap) else render.status_dict(snap)
    trainer = getattr(job, "trainer", None)
    iteration = {
        "d_steps": getattr(job.cfg, "d_steps", 1),
        "g_steps": getattr(job.cfg, "g_steps", 1),
        "phase": getattr(trainer, "phase", "both"),
    }
    return {
        **status,
        "seed": job.cfg.seed,
        **iteration,
        **controls.model_facts(job.cfg),
        "from_pretrained": getattr(job, "pair", None) is not None,
    }


def samples_api(job, layers_value):
    """The current sample grid (or 2D view) and the status JSON, always (never skipped)."""
    if job is None:
        raise gr.Error("no run yet: press Train first", print_exception=False)
    snap = job.snapshot
    if restore_views.is_restore(snap):
        return restore_views.main_image(snap), restore_views.status_dict(snap)
    return render.main_image(snap, layers_value or viz.LAYERS), render.status_dict(snap)


@sessions.friendly
def save(job, name):
    """Save a resumable checkpoint under runs/NAME (it then appears in every checkpoint list)."""
    folder = _need_job(job).save(runs_dir() / safe_run_name(name))
    archive = Path(tempfile.mkdtemp(prefix="ganlab-")) / folder.name
    gr.Info(f"Saved to {folder}")
    return shutil.make_archive(str(archive), "zip", folder)


@sessions.friendly
def gif(job):
    """A timelapse GIF of the fixed-noise samples over training."""
    if not hasattr(_need_job(job), "frames"):
        raise GanLabError(
            "the timelapse shows a generator's fixed-noise samples; a restoration run has "
            "none (save it and open it in the Restore tab)"
        )
    frames = list(job.frames)
    try:
        path = Path(tempfile.mkdtemp(prefix="ganlab-")) / "timelapse.gif"
        viz.timelapse_gif(frames, path)
    except ValueError as exc:
        raise GanLabError(str(exc)) from None
    return str(path)


@sessions.friendly
def loss_csv(job):
    """The step history (losses, D outputs, gradient norms) as CSV."""
    path = Path(tempfile.mkdtemp(prefix="ganlab-")) / "losses.csv"
    path.write_text(_need_job(job).loss_csv(), encoding="utf-8")
    return str(path)
