"""The Train tab: pick data, device and settings, press Train, watch G learn live.

Controls on the left, large live views on the right. The Model field picks the family through the registry
(``family_for``): a GAN, or a StyleGAN whose job is the same live
:class:`~ganlab.families.gan.job.TrainingJob`. The session's job lives in a ``gr.State``; a
``gr.Timer(0.5)`` reads its latest snapshot (never waiting on the trainer)
and redraws only when a new one exists. Endpoint names (``api_name``) are
stable: see docs/ui.md. This module places and wires components; what each event does is in
:mod:`ganlab.ui.tabs.train_actions`.
"""

import json
from types import SimpleNamespace

import gradio as gr

from ganlab.families.gan.lessons import lesson_choices
from ganlab.render import views as viz
from ganlab.ui import controls, explain, form_layout, form_shown, presenter, sessions, slow_motion
from ganlab.ui import views as render
from ganlab.ui.tabs import form_actions as fills
from ganlab.ui.tabs import train_actions as act

REFRESH_S = 0.5
PHASE_CHOICES = [("both networks", "both"), ("only D", "d"), ("only G", "g")]
POINT_LAYERS = [
    ("D's decision surface", "surface"),
    ("real points", "real"),
    ("generated points", "fake"),
    ("G's gradient arrows", "arrows"),
    ("G's manifold grid", "manifold"),
]


def _plot(label: str, which: str) -> gr.LinePlot:
    """A live line plot (elem_id ``ganlab-<which>-plot``)."""
    # A fixed colour map: Gradio's plot keeps the series of its first data, and the first
    # snapshot (step 0) has none. No fixed height: with one, the legend is cut off.
    return gr.LinePlot(
        x="step",
        y="value",
        color="series",
        label=label,
        x_title="step",
        y_title="",
        color_title="",
        color_map=render.colour_map(which),
        elem_id=f"ganlab-{which}-plot",
    )


def _controls_column(ui: SimpleNamespace) -> None:
    """Lessons, the settings form, the run buttons, status, health, save & download (presenter mode
    hides all but the buttons, status and health)."""
    with gr.Column(elem_classes=[presenter.HIDE_CLASS]):
        with gr.Group():
            ui.lesson = gr.Dropdown(lesson_choices(), value=None, label="Lesson presets (one click, then Train)")
            ui.lesson_btn = gr.Button("Load lesson", size="sm")
            ui.lesson_text = gr.Markdown("")
        ui.form = form_layout.build_form()
    with gr.Row():
        ui.train_btn = gr.Button("▶ Train", variant="primary")
        ui.pause_btn = gr.Button("❚❚ Pause", elem_id="ganlab-pause-btn")
        ui.resume_btn = gr.Button("▶ Resume", visible=False, elem_id="ganlab-resume-btn")
    with gr.Row():
        ui.step_btn = gr.Button("Step", size="sm")
        ui.stop_btn = gr.Button("■ Stop", size="sm", variant="stop")
        ui.reset_btn = gr.Button("↺ Reset", size="sm")
    ui.phase = gr.Radio(
        PHASE_CHOICES,
        value="both",
        label="Each iteration trains",
        info="Step, the slow-motion step and a running run all follow it",
    )
    sessions.name_errors({"phase": ui.phase})
    ui.status = gr.Markdown("Press **Train** to start.", elem_id="ganlab-status")
    ui.health = gr.Markdown("")
    with gr.Accordion("Save & download", open=False, elem_classes=[presenter.HIDE_CLASS]):
        ui.run_name = gr.Textbox(label="Run name (saved under runs/)", placeholder="my-first-gan")
        with gr.Row():
            ui.save_btn = gr.Button("Save checkpoint", size="sm")
            ui.gif_btn = gr.Button("Timelapse GIF", size="sm")
            ui.csv_btn = gr.Button("Loss CSV", size="sm")
        ui.download = gr.File(label="Download", interactive=False)


def _views_column(ui: SimpleNamespace) -> None:
    """The sample grid (or 2D view), G's manifold, the three live plots and what they mean, slow motion."""
    ui.presenter = gr.Checkbox(
        False,
        label="Presenter mode: hide the form, enlarge the views; space = pause / resume, → = next slow-motion sub-step",
        elem_id="ganlab-presenter",
    )
    with gr.Row(equal_height=False):
        ui.main_view = gr.Image(
            label="Samples from fixed noise",
            type="numpy",
            height=520,
            format="png",
            interactive=False,
            elem_id="ganlab-main-view",
            scale=3,
        )
        ui.main_text = gr.Markdown(explain.SAMPLES_IMAGES, elem_id="ganlab-main-text")
    ui.layers = gr.CheckboxGroup(POINT_LAYERS, value=list(viz.LAYERS), label="Show", visible=False)
    with gr.Row(equal_height=False, visible=False) as ui.manifold_row:
        ui.manifold_view = gr.Image(
            label="G's manifold", type="numpy", height=400, interactive=False, format="png", scale=3
        )
        gr.Markdown(explain.MANIFOLD)
    with gr.Row(equal_height=False, visible=False) as ui.morph_row:
        ui.morph_view = gr.Image(
            label="The manifold morph: noise grid (t = 0) to G's manifold (t = 1)",
            type="numpy",
            height=400,
            interactive=False,
            format="png",
            scale=3,
            elem_id="ganlab-morph-view",
        )
        with gr.Column(scale=2):
            ui.morph_t = gr.Slider(0, 1, 1.0, step=0.05, label="t (0 = the noise grid, 1 = G's manifold)")
            ui.morph_gif_btn = gr.Button("Morph GIF", size="sm")
            gr.Markdown(explain.MORPH)
    with gr.Row():
        ui.loss_plot = _plot("Losses", "loss")
        ui.verdict_plot = _plot("D's verdicts", "verdict")
        ui.grad_plot = _plot("Gradient norms", "grads")
    with gr.Row():
        gr.Markdown(explain.LOSS)
        gr.Markdown(explain.VERDICT)
        gr.Markdown(explain.GRADS)
    with gr.Row(equal_height=False, visible=False) as ui.divergence_row:
        ui.divergence_plot = _plot("KL and JS by grid (real vs G)", "divergence")
        gr.Markdown(explain.DIVERGENCE)
    slow_motion.build(ui)
    with gr.Accordion("Model overview: the data flow of one iteration, live", open=False):
        ui.overview_view = gr.Image(
            label="Model overview",
            show_label=False,
            type="numpy",
            format="png",
            interactive=False,
            elem_id="ganlab-overview-view",
        )
        gr.Markdown(explain.OVERVIEW)


def _wire_run(ui: SimpleNamespace) -> None:
    """Train, the timer, pause/resume/step/stop/reset and the status/samples endpoints (in this
    order: the endpoints' names and parameters are contracts)."""
    views = [
        ui.main_view,
        ui.manifold_view,
        ui.loss_plot,
        ui.verdict_plot,
        ui.grad_plot,
        ui.status,
        ui.health,
        ui.divergence_plot,
        ui.morph_view,
        ui.overview_view,
    ]  # act.VIEWS, in this order
    toggles = [ui.pause_btn, ui.resume_btn]
    control_outputs = [ui.status, *toggles]
    _wire_controls(ui, views, toggles, control_outputs)
    _wire_views(ui, control_outputs)


def _train_inputs(ui: SimpleNamespace) -> dict:
    """/train's parameters: existing ones first, in their order; the style, restore, pair fields last."""
    names = (
        "dataset",
        "device",
        "upload",
        "drawing",
        *controls.FIELDS,
        *controls.STYLE_FIELDS,
        *controls.RESTORE_FIELDS,
        "from_pretrained",
        *controls.ITERATION_FIELDS,
    )
    inputs = {name: ui.form[name] for name in names}
    # the last one: True (a script) fills what it left out from the data set's preset;
    # the browser's form holds the preset already and sends its values as they are
    inputs["preset_defaults"] = ui.preset_defaults
    inputs["form_shows"] = ui.form_shows  # what the form was last filled for (ganlab.ui.form_shown)
    inputs.update({name: ui.form[name] for name in controls.LATE_FIELDS})  # new in #17, after all the rest
    return inputs


def _wire_controls(ui: SimpleNamespace, views: list, toggles: list, control_outputs: list) -> None:
    """Train, the timer, pause/resume/step/stop/reset and /status."""
    form, job = ui.form, ui.job_state
    # what /resume and /step may change: the first three as before, then the per-iteration settings
    changes = {
        "g_lr": form["g_lr"],
        "d_lr": form["d_lr"],
        "objective": form["objective"],
        "d_steps": form["d_steps"],
        "g_steps": form["g_steps"],
        "phase": ui.phase,
    }
    ui.train_btn.click(
        act.train,
        inputs=[job, ui.layers],
        inputs_kwargs=_train_inputs(ui),
        outputs=[job, ui.seen, *views, *toggles, *ui.kind_outputs],
        api_name="train",
        concurrency_limit=4,
    )
    ui.timer.tick(
        act.refresh,
        inputs=[job, ui.seen, ui.layers, ui.morph_t],
        outputs=[ui.seen, *views, *toggles],
        show_progress="hidden",
        concurrency_limit=8,
        api_name="refresh",
        api_visibility="undocumented",
    )
    ui.pause_btn.click(act.pause, inputs=[job], outputs=control_outputs, api_name="pause", show_progress="hidden")
    ui.resume_btn.click(
        act.resume,
        inputs=[job],
        inputs_kwargs=changes,
        outputs=control_outputs,
        api_name="resume",
        show_progress="hidden",
    )
    toggle_btn = gr.Button("Pause or resume", elem_id=presenter.TOGGLE_ID, elem_classes=[presenter.OFFSCREEN_CLASS])
    toggle_btn.click(
        act.toggle,
        inputs=[job],
        inputs_kwargs=changes,
        outputs=control_outputs,
        api_visibility="private",
        show_progress="hidden",
        trigger_mode="multiple",  # a press while one is handled is queued, not dropped ("once")
        concurrency_limit=1,  # and handled after it, in order
    )
    ui.step_btn.click(
        act.step, inputs=[job], inputs_kwargs=changes, outputs=control_outputs, api_name="step", show_progress="hidden"
    )
    ui.stop_btn.click(act.stop, inputs=[job], outputs=control_outputs, api_name="stop", show_progress="hidden")
    ui.reset_btn.click(act.reset, inputs=[job], outputs=[job, ui.seen, *views, *toggles], api_name="reset")
    gr.Button(visible=False).click(
        act.status_api, inputs=[job], outputs=gr.JSON(visible=False), api_name="status", queue=False
    )


def _wire_views(ui: SimpleNamespace, control_outputs: list) -> None:
    """Live edits, slow motion, the morph, the overview, presenter mode and /samples."""
    form, job = ui.form, ui.job_state
    live = [form["d_steps"], form["g_steps"], ui.phase]
    for widget in live:  # edits apply between chunks of a live run, without a pause
        widget.input(act.live_edit, inputs=[job, *live], outputs=None, api_visibility="private", show_progress="hidden")
    slow_motion.wire(ui, act.controls_now, control_outputs)
    ui.morph_t.input(
        act.morph,
        inputs=[job, ui.morph_t, ui.layers],
        outputs=ui.morph_view,
        api_visibility="private",
        show_progress="hidden",
        trigger_mode="always_last",
    )
    ui.morph_gif_btn.click(act.morph_gif, inputs=[job], outputs=ui.download, api_name="morph_gif")
    gr.Button(visible=False).click(
        act.overview_api, inputs=[job], outputs=gr.Image(visible=False, format="png"), api_name="overview"
    )
    ui.presenter.change(None, inputs=[ui.presenter], outputs=None, js=presenter.TOGGLE_JS)
    gr.Button(visible=False).click(
        act.samples_api,
        inputs=[job, ui.layers],
        outputs=[gr.Image(visible=False, format="png"), gr.JSON(visible=False)],
        api_name="samples",
    )


def _wire_form(ui: SimpleNamespace) -> None:
    """Lessons, save & download, and the form's own reactions (defaults per data set and model)."""
    form, job = ui.form, ui.job_state
    field_outputs = [form[k] for k in controls.FIELDS]
    style_outputs = [form[k] for k in controls.STYLE_FIELDS]
    late_outputs = [form[k] for k in controls.LATE_FIELDS]
    default_outputs = [form[k] for k in controls.FILL_FIELDS]  # what defaults_for fills
    ui.lesson_btn.click(
        fills.load_lesson,
        inputs=[ui.lesson],
        outputs=[form["dataset"], ui.lesson_text, *field_outputs, *ui.kind_outputs, *style_outputs, *late_outputs],
        api_name="preset",
    ).success(fills.lesson_shown, inputs=[ui.lesson], outputs=ui.form_shows, api_visibility="private")
    ui.save_btn.click(act.save, inputs=[job, ui.run_name], outputs=ui.download, api_name="save")
    ui.gif_btn.click(act.gif, inputs=[job], outputs=ui.download, api_name="gif")
    ui.csv_btn.click(act.loss_csv, inputs=[job], outputs=ui.download, api_name="loss_csv")
    form["dataset"].input(
        fills.on_dataset,
        inputs=[form["dataset"], form["upload"], form["model"]],
        outputs=[*default_outputs, ui.form_shows],
        api_visibility="private",
    )
    form["upload"].upload(
        fills.on_upload,
        inputs=[form["upload"], form["model"]],
        outputs=[form["dataset"], *default_outputs, ui.form_shows],
        api_visibility="private",
    )
    form["model"].input(
        fills.on_model,
        inputs=[form["dataset"], form["upload"], form["model"]],
        outputs=[*default_outputs, ui.form_shows],
        api_visibility="private",
    )
    form["model"].change(
        controls.style_controls.model_updates,
        inputs=[form["model"]],
        outputs=[form["style_row"], form["width"]],
        api_visibility="private",
    )
    form["model"].change(
        controls.restore_controls.model_updates,
        inputs=[form["model"]],
        outputs=[form["restore_row"], form["task"]],
        api_visibility="private",
    )
    form["dataset"].change(
        fills.on_dataset_shown,
        inputs=[form["dataset"], form["upload"]],
        outputs=[*ui.kind_outputs, form["upload"], form["drawing"], form["from_pretrained"]],
        api_visibility="private",
    )


def build() -> None:
    """Lay out the Train tab inside the current gr.Blocks, then wire its events."""
    ui = SimpleNamespace(job_state=sessions.state(), seen=gr.State(0))  # seen: the version this browser drew
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=340):
            _controls_column(ui)
        with gr.Column(scale=2):
            _views_column(ui)
    ui.timer = gr.Timer(REFRESH_S)
    ui.preset_defaults = gr.Checkbox(True, visible=False)
    # empty for a script (its values are taken as sent); the page notes the form's first fill
    ui.form_shows = gr.Textbox("", visible=False)
    first_fill = json.dumps(form_shown.form_key(controls.DEFAULT_DATASET, None, ui.form["model"].value))
    gr.on(
        triggers=None,
        fn=None,
        inputs=None,
        outputs=[ui.preset_defaults, ui.form_shows],
        js=f"() => [false, {first_fill}]",
    )  # page load
    ui.kind_outputs = [ui.main_view, ui.main_text, ui.layers, ui.manifold_row, ui.morph_row, ui.divergence_row]
    _wire_run(ui)
    _wire_form(ui)
