"""What the Train tab's buttons and timer do: one plain function per event, so the layout
(:mod:`ganlab.ui.tabs.train`) only places components and wires them to these.

Each handler's parameter names and docstring are its API endpoint's (Gradio reads them), so
keep them: the endpoint names and parameters are contracts (docs/ui.md).
"""

import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr

from ganlab.errors import GanLabError
from ganlab.families.gan.job import TrainingJob
from ganlab.families.gan.lessons import LESSONS
from ganlab.paths import runs_dir, safe_run_name
from ganlab.render import views as viz
from ganlab.ui import controls, explain, restore_views, sessions
from ganlab.ui import views as render


def _outputs_for(snap, layers) -> list:
    """Every live view for one snapshot, in VIEW order (a restoration run: its triplets and losses)."""
    if restore_views.is_restore(snap):
        return [restore_views.main_image(snap), None, restore_views.loss_frame(snap), None, None,
                restore_views.status_markdown(snap), restore_views.health_markdown(snap)]
    wasserstein = snap.is_wgan
    return [render.main_image(snap, layers), render.manifold_image(snap),
            render.plot_frame(snap.history, "loss"), render.plot_frame(snap.history, "verdict", wasserstein),
            render.plot_frame(snap.history, "grads"), render.status_markdown(snap), render.health_markdown(snap)]


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


def kind_updates(points: bool, restoring: bool = False) -> list:
    """The main view's label and text, the 2D layer picker and manifold row, for the kind of run."""
    if restoring:
        return [gr.update(label=restore_views.MAIN_LABEL), explain.RESTORE_TRIPLETS,
                gr.update(visible=False), gr.update(visible=False)]
    return [gr.update(label="Real vs generated (2D)" if points else "Samples from fixed noise"),
            explain.SAMPLES_POINTS if points else explain.SAMPLES_IMAGES,
            gr.update(visible=points), gr.update(visible=points)]

@sessions.friendly
def train(job, layers_value, request: gr.Request, upload=None, drawing=None, from_pretrained=False, **values):
    """Start a new run with the form's settings (stops this session's previous run); with
    from_pretrained, a 2D set starts from its shipped trained pair (converged at step 0)."""
    if upload:
        upload = sessions.check_uploads(upload)[0]  # empty or over the upload cap: say so before reading
    cfg = controls.config_from_form(upload=upload, drawing=drawing, **values)
    options = controls.start_options(cfg, from_pretrained)
    sessions.close_run(job)
    job = controls.family_of(cfg).start(cfg, **options)
    sessions.remember(request, "train", job)
    snap = job.snapshot
    restoring = restore_views.is_restore(snap)
    return [job, snap.version, *_outputs_for(snap, layers_value or viz.LAYERS), *_buttons("running"),
            *kind_updates(not restoring and snap.data_kind == "points", restoring)]

def refresh(job, seen_version, layers_value):
    """Timer tick: redraw when the job published a new snapshot, else change nothing."""
    if job is None or job.snapshot.version == seen_version:
        return gr.skip()
    snap = job.snapshot
    return [snap.version, *_outputs_for(snap, layers_value or ()), *_buttons(snap.state)]

@sessions.friendly
def pause(job):
    """Pause training (the thread waits; nothing is lost)."""
    _need_job(job).pause()
    _wait_for(job, lambda snap: snap.state != "running")
    return [_status_text(job.snapshot), *_buttons("paused")]

@sessions.friendly
def resume(job, g_lr, d_lr, objective):
    """Continue; learning rates and objective edited while paused apply now."""
    _need_job(job).resume(g_lr=g_lr, d_lr=d_lr, objective=objective)
    _wait_for(job, lambda snap: snap.state != "paused")
    return [_status_text(job.snapshot), *_buttons(job.state)]

@sessions.friendly
def step(job, g_lr, d_lr, objective):
    """One training step (pauses a running job first)."""
    job = _need_job(job)
    before = job.snapshot.step
    job.step(1, g_lr=g_lr, d_lr=d_lr, objective=objective)
    _wait_for(job, lambda snap: snap.step > before, timeout=10)
    return [_status_text(job.snapshot), *_buttons(job.state)]

@sessions.friendly
def stop(job):
    """Stop for good; the views keep the last state."""
    _need_job(job).stop()
    return [_status_text(job.snapshot), *_buttons(job.state)]

def reset(job):
    """Throw the run away and clear the views."""
    sessions.close_run(job)
    return [None, 0, None, None, None, None, None, "Reset. Press **Train** to start again.", "",
            *_buttons("ready")]

def status_api(job):
    """The latest snapshot as JSON: state, step, steps/s, device, last losses, health."""
    if job is None:
        return {"state": "none", "step": 0, "history_rows": 0}
    snap = job.snapshot
    status = restore_views.status_dict(snap) if restore_views.is_restore(snap) else render.status_dict(snap)
    return {**status, "seed": job.cfg.seed, **controls.model_facts(job.cfg),
            "from_pretrained": getattr(job, "pair", None) is not None}

def samples_api(job, layers_value):
    """The current sample grid (or 2D view) and the status JSON, always (never skipped)."""
    if job is None:
        raise gr.Error("no run yet: press Train first", print_exception=False)
    snap = job.snapshot
    if restore_views.is_restore(snap):
        return restore_views.main_image(snap), restore_views.status_dict(snap)
    return render.main_image(snap, layers_value or viz.LAYERS), render.status_dict(snap)

def load_lesson(key):
    """Fill the form with a lesson's settings and show its explanation."""
    lesson_obj = LESSONS.get(key)
    if lesson_obj is None:
        raise gr.Error(f"unknown lesson {key!r}; choose one from the list", print_exception=False)
    values = controls.form_values(lesson_obj.config)
    style = controls.style_values(lesson_obj.config)
    points = controls.is_points(lesson_obj.config.dataset)
    return [lesson_obj.config.dataset, f"### {lesson_obj.title}\n{lesson_obj.text}",
            *[values[k] for k in controls.FIELDS], *kind_updates(points),
            *[style[k] for k in controls.STYLE_FIELDS]]

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
        raise GanLabError("the timelapse shows a generator's fixed-noise samples; a restoration run has "
                          "none (save it and open it in the Restore tab)")
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

def on_dataset(dataset, upload, model):
    return controls.defaults_for(dataset, upload, model)

def on_upload(upload, model):
    return [controls.UPLOAD, *controls.defaults_for(controls.UPLOAD, upload, model)]

def on_model(dataset, upload, model):
    """A new model: that family's recommended settings (2D data + stylegan: Train says why not)."""
    image_only = model == controls.style_controls.MODEL or controls.restore_controls.is_restore_model(model)
    if image_only and controls.is_points(dataset, upload):
        gr.Info(f"{model} trains on images: choose an image data set")
        return [gr.skip()] * (len(controls.FIELDS) + len(controls.STYLE_FIELDS))
    return controls.defaults_for(dataset, upload, model)

def on_dataset_shown(dataset, upload):
    """Views and inputs that depend on the data set (also when a lesson picks it)."""
    return [*kind_updates(controls.is_points(dataset, upload)), gr.update(visible=dataset == controls.UPLOAD),
            gr.update(visible=dataset == controls.DRAW), gr.update(visible=controls.has_pair(dataset))]

