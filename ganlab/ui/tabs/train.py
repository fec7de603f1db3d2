"""The Train tab: pick data, device and settings, press Train, watch G learn live.

Controls on the left, large live views on the right. The Model field picks the family through the registry
(``family_for``): a GAN, or a StyleGAN whose job is the same live
:class:`~ganlab.families.gan.job.TrainingJob`. The session's job lives in a ``gr.State``; a
``gr.Timer(0.5)`` reads its latest snapshot (never waiting on the trainer)
and redraws only when a new one exists. Endpoint names (``api_name``) are
stable: see docs/ui.md.
"""

import shutil
import tempfile
import time
from pathlib import Path

import gradio as gr

from ganlab.render import views as viz
from ganlab.errors import GanLabError
from ganlab.families.gan.lessons import LESSONS, lesson_choices
from ganlab.paths import runs_dir, safe_run_name
from ganlab.families.gan.job import TrainingJob
from ganlab.ui import controls, explain, sessions
from ganlab.ui import views as render

REFRESH_S = 0.5
POINT_LAYERS = [("D's decision surface", "surface"), ("real points", "real"), ("generated points", "fake"),
                ("G's gradient arrows", "arrows"), ("G's manifold grid", "manifold")]


def _plot(label: str, which: str) -> gr.LinePlot:
    """A live line plot (elem_id ``ganlab-<which>-plot``)."""
    # A fixed colour map: Gradio's plot keeps the series of its first data, and the first
    # snapshot (step 0) has none. No fixed height: with one, the legend is cut off.
    return gr.LinePlot(x="step", y="value", color="series", label=label, x_title="step", y_title="",
                       color_title="", color_map=render.colour_map(which), elem_id=f"ganlab-{which}-plot")


def _outputs_for(snap, layers) -> list:
    """Every live view for one snapshot, in VIEW order."""
    wasserstein = snap.is_wgan
    return [render.main_image(snap, layers), render.manifold_image(snap),
            render.plot_frame(snap.history, "loss"), render.plot_frame(snap.history, "verdict", wasserstein),
            render.plot_frame(snap.history, "grads"), render.status_markdown(snap), render.health_markdown(snap)]


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


def build() -> None:
    """Lay out the Train tab inside the current gr.Blocks."""
    job_state = sessions.state()
    seen = gr.State(0)  # the snapshot version this browser last drew
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=340):
            with gr.Group():
                lesson = gr.Dropdown(lesson_choices(), value=None, label="Lesson presets (one click, then Train)")
                lesson_btn = gr.Button("Load lesson", size="sm")
                lesson_text = gr.Markdown("")
            form = controls.build_form()
            with gr.Row():
                train_btn = gr.Button("▶ Train", variant="primary")
                pause_btn = gr.Button("❚❚ Pause")
                resume_btn = gr.Button("▶ Resume", visible=False)
            with gr.Row():
                step_btn = gr.Button("Step", size="sm")
                stop_btn = gr.Button("■ Stop", size="sm", variant="stop")
                reset_btn = gr.Button("↺ Reset", size="sm")
            status = gr.Markdown("Press **Train** to start.")
            health = gr.Markdown("")
            with gr.Accordion("Save & download", open=False):
                run_name = gr.Textbox(label="Run name (saved under runs/)", placeholder="my-first-gan")
                with gr.Row():
                    save_btn = gr.Button("Save checkpoint", size="sm")
                    gif_btn = gr.Button("Timelapse GIF", size="sm")
                    csv_btn = gr.Button("Loss CSV", size="sm")
                download = gr.File(label="Download", interactive=False)
        with gr.Column(scale=2):
            with gr.Row(equal_height=False):
                main_view = gr.Image(label="Samples from fixed noise", type="numpy", height=520, format="png",
                                     interactive=False, elem_id="ganlab-main-view", scale=3)
                main_text = gr.Markdown(explain.SAMPLES_IMAGES, elem_id="ganlab-main-text")
            layers = gr.CheckboxGroup(POINT_LAYERS, value=list(viz.LAYERS), label="Show", visible=False)
            with gr.Row(equal_height=False, visible=False) as manifold_row:
                manifold_view = gr.Image(label="G's manifold", type="numpy", height=400, interactive=False, format="png",
                                         scale=3)
                gr.Markdown(explain.MANIFOLD)
            with gr.Row():
                loss_plot = _plot("Losses", "loss")
                verdict_plot = _plot("D's verdicts", "verdict")
                grad_plot = _plot("Gradient norms", "grads")
            with gr.Row():
                gr.Markdown(explain.LOSS)
                gr.Markdown(explain.VERDICT)
                gr.Markdown(explain.GRADS)
    timer = gr.Timer(REFRESH_S)

    views = [main_view, manifold_view, loss_plot, verdict_plot, grad_plot, status, health]
    kind_outputs = [main_view, main_text, layers, manifold_row]
    # /train's parameters: existing ones first, in their order; the style fields last
    form_inputs = {name: form[name] for name in ("dataset", "device", "upload", "drawing", *controls.FIELDS,
                                                 *controls.STYLE_FIELDS)}
    changes = {"g_lr": form["g_lr"], "d_lr": form["d_lr"], "objective": form["objective"]}

    def kind_updates(points: bool) -> list:
        return [gr.update(label="Real vs generated (2D)" if points else "Samples from fixed noise"),
                explain.SAMPLES_POINTS if points else explain.SAMPLES_IMAGES,
                gr.update(visible=points), gr.update(visible=points)]

    @sessions.friendly
    def train(job, layers_value, request: gr.Request, upload=None, drawing=None, **values):
        """Start a new run with the form's settings (stops this session's previous run)."""
        if upload:
            upload = sessions.check_uploads(upload)[0]  # empty or over the upload cap: say so before reading
        cfg = controls.config_from_form(upload=upload, drawing=drawing, **values)
        sessions.close_run(job)
        job = controls.family_of(cfg).start(cfg)
        sessions.remember(request, "train", job)
        snap = job.snapshot
        return [job, snap.version, *_outputs_for(snap, layers_value or viz.LAYERS), *_buttons("running"),
                *kind_updates(snap.data_kind == "points")]

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
        return [render.status_markdown(job.snapshot), *_buttons("paused")]

    @sessions.friendly
    def resume(job, g_lr, d_lr, objective):
        """Continue; learning rates and objective edited while paused apply now."""
        _need_job(job).resume(g_lr=g_lr, d_lr=d_lr, objective=objective)
        _wait_for(job, lambda snap: snap.state != "paused")
        return [render.status_markdown(job.snapshot), *_buttons(job.state)]

    @sessions.friendly
    def step(job, g_lr, d_lr, objective):
        """One training step (pauses a running job first)."""
        job = _need_job(job)
        before = job.snapshot.step
        job.step(1, g_lr=g_lr, d_lr=d_lr, objective=objective)
        _wait_for(job, lambda snap: snap.step > before, timeout=10)
        return [render.status_markdown(job.snapshot), *_buttons(job.state)]

    @sessions.friendly
    def stop(job):
        """Stop for good; the views keep the last state."""
        _need_job(job).stop()
        return [render.status_markdown(job.snapshot), *_buttons(job.state)]

    def reset(job):
        """Throw the run away and clear the views."""
        sessions.close_run(job)
        return [None, 0, None, None, None, None, None, "Reset. Press **Train** to start again.", "",
                *_buttons("ready")]

    def status_api(job):
        """The latest snapshot as JSON: state, step, steps/s, device, last losses, health."""
        if job is None:
            return {"state": "none", "step": 0, "history_rows": 0}
        return {**render.status_dict(job.snapshot), "seed": job.cfg.seed, **controls.model_facts(job.cfg)}

    def samples_api(job, layers_value):
        """The current sample grid (or 2D view) and the status JSON, always (never skipped)."""
        if job is None:
            raise gr.Error("no run yet: press Train first", print_exception=False)
        snap = job.snapshot
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
        frames = list(_need_job(job).frames)
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
        if model == controls.style_controls.MODEL and controls.is_points(dataset, upload):
            gr.Info("stylegan trains on images: choose an image data set")
            return [gr.skip()] * len(default_outputs)
        return controls.defaults_for(dataset, upload, model)

    def on_dataset_shown(dataset, upload):
        """Views and inputs that depend on the data set (also when a lesson picks it)."""
        return [*kind_updates(controls.is_points(dataset, upload)), gr.update(visible=dataset == controls.UPLOAD),
                gr.update(visible=dataset == controls.DRAW)]

    field_outputs = [form[k] for k in controls.FIELDS]
    style_outputs = [form[k] for k in controls.STYLE_FIELDS]
    default_outputs = field_outputs + style_outputs  # what defaults_for fills
    control_outputs = [status, pause_btn, resume_btn]
    train_btn.click(train, inputs=[job_state, layers], inputs_kwargs=form_inputs,
                    outputs=[job_state, seen, *views, pause_btn, resume_btn, *kind_outputs], api_name="train",
                    concurrency_limit=4)
    timer.tick(refresh, inputs=[job_state, seen, layers], outputs=[seen, *views, pause_btn, resume_btn],
               show_progress="hidden", concurrency_limit=8, api_name="refresh", api_visibility="undocumented")
    pause_btn.click(pause, inputs=[job_state], outputs=control_outputs, api_name="pause", show_progress="hidden")
    resume_btn.click(resume, inputs=[job_state], inputs_kwargs=changes, outputs=control_outputs,
                     api_name="resume", show_progress="hidden")
    step_btn.click(step, inputs=[job_state], inputs_kwargs=changes, outputs=control_outputs, api_name="step",
                   show_progress="hidden")
    stop_btn.click(stop, inputs=[job_state], outputs=control_outputs, api_name="stop", show_progress="hidden")
    reset_btn.click(reset, inputs=[job_state], outputs=[job_state, seen, *views, pause_btn, resume_btn],
                    api_name="reset")
    gr.Button(visible=False).click(status_api, inputs=[job_state], outputs=gr.JSON(visible=False),
                                   api_name="status", queue=False)
    gr.Button(visible=False).click(samples_api, inputs=[job_state, layers],
                                   outputs=[gr.Image(visible=False, format="png"), gr.JSON(visible=False)],
                                   api_name="samples")
    lesson_btn.click(load_lesson, inputs=[lesson], outputs=[form["dataset"], lesson_text, *field_outputs,
                                                              *kind_outputs, *style_outputs], api_name="preset")
    save_btn.click(save, inputs=[job_state, run_name], outputs=download, api_name="save")
    gif_btn.click(gif, inputs=[job_state], outputs=download, api_name="gif")
    csv_btn.click(loss_csv, inputs=[job_state], outputs=download, api_name="loss_csv")
    form["dataset"].input(on_dataset, inputs=[form["dataset"], form["upload"], form["model"]],
                          outputs=default_outputs, api_visibility="private")
    form["upload"].upload(on_upload, inputs=[form["upload"], form["model"]], outputs=[form["dataset"], *default_outputs],
                          api_visibility="private")
    form["model"].input(on_model, inputs=[form["dataset"], form["upload"], form["model"]], outputs=default_outputs,
                        api_visibility="private")
    form["model"].change(controls.style_controls.model_updates, inputs=[form["model"]],
                         outputs=[form["style_row"], form["width"]], api_visibility="private")
    form["dataset"].change(on_dataset_shown, inputs=[form["dataset"], form["upload"]],
                           outputs=[*kind_outputs, form["upload"], form["drawing"]], api_visibility="private")
