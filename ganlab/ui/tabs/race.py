"""The Race tab: 2-4 configurations on the same data and seed, side by side on one step clock."""

import gradio as gr
import pandas as pd

from ganlab.families.gan.config import OBJECTIVE_NAMES, OPTIMIZERS, OptimizerConfig, TrainConfig
from ganlab.errors import GanLabError
from ganlab.families.gan.lessons import LESSONS
from ganlab.families.gan.presets import recommended_config
from ganlab.families.gan.race import MAX_RACERS, Racer, start_race
from ganlab.ui import controls, sessions
from ganlab.ui.numbers import real_number, slider_range, whole_number
from ganlab.ui import views as render

DEFAULT_RACERS = [
    dict(name="non-saturating", on=True, objective="nonsaturating"),
    dict(name="minimax", on=True, objective="minimax"),
    dict(name="WGAN-GP", on=False, objective="wgan-gp"),
    dict(name="hinge + SN", on=False, objective="hinge", sn=True),
]
RACER_FIELDS = ("name", "on", "objective", "optimizer", "g_lr", "d_lr", "d_steps", "sn")
LESSON_RACES = [(lesson.title, key) for key, lesson in LESSONS.items() if lesson.contrast is not None]


def _racer_row(index: int, spec: dict) -> dict:
    base = recommended_config("ring8")
    with gr.Group():
        with gr.Row():
            on = gr.Checkbox(spec["on"], label=f"Racer {index + 1}", scale=1, min_width=90)
            name = gr.Textbox(spec["name"], label="Name", scale=2, min_width=120)
            objective = gr.Dropdown(
                list(OBJECTIVE_NAMES), value=spec["objective"], label="Objective", scale=2, min_width=130
            )
        with gr.Row():
            optimizer = gr.Dropdown(list(OPTIMIZERS), value="adam", label="Optimizer", min_width=80)
            g_lr = gr.Number(base.g_optim.lr, label="G lr", min_width=80)
            d_lr = gr.Number(base.d_optim.lr, label="D lr", min_width=80)
            low, high = slider_range(TrainConfig, "d_steps")
            d_steps = gr.Number(1, label="D steps", precision=0, minimum=low, maximum=high, min_width=70)
            sn = gr.Checkbox(spec.get("sn", False), label="Spectral norm", min_width=90)
    return dict(
        name=name, on=on, objective=objective, optimizer=optimizer, g_lr=g_lr, d_lr=d_lr, d_steps=d_steps, sn=sn
    )


def racers_from_values(dataset: str, device: str, steps, seed, values: dict) -> list[Racer]:
    """Racers from the tab's widgets: the data set's recommended config plus each row's changes."""
    base = recommended_config(dataset).updated(
        device=device or "auto", steps=whole_number("steps", steps), seed=whole_number("seed", seed)
    )
    racers = []
    for i in range(MAX_RACERS):
        row = {f: values.get(f"{f}_{i + 1}") for f in RACER_FIELDS}
        if not row["on"]:
            continue
        beta1, beta2 = base.g_optim.beta1, base.g_optim.beta2
        opt = row["optimizer"] or "adam"
        cfg = base.updated(
            objective=row["objective"],
            spectral_norm=bool(row["sn"]),
            d_steps=whole_number(f"racer {i + 1} D steps", row["d_steps"] or 1),
            g_optim=OptimizerConfig(opt, real_number(f"racer {i + 1} G lr", row["g_lr"]), beta1, beta2),
            d_optim=OptimizerConfig(opt, real_number(f"racer {i + 1} D lr", row["d_lr"]), beta1, beta2),
        )
        racers.append(Racer(row["name"] or f"racer {i + 1}", cfg))
    return racers


def _outputs_for(snap) -> list:
    """Every race view for one snapshot, in the order build() lists them."""
    plots = [render.race_frame(snap, col) for col in ("d_loss", "g_loss", "g_grad_norm")]
    return [render.race_gallery(snap), *plots, pd.DataFrame(snap.table()), render.race_status(snap)]


def _begin(old, request, racers):
    """Stop the session's old race, start this one, and draw its first views."""
    sessions.close_run(old)
    race = start_race(racers)
    sessions.remember(request, "race", race)
    return [race, race.snapshot.version, *_outputs_for(race.snapshot)]


@sessions.friendly
def race(old, dataset, device, steps, seed, request: gr.Request, **values):
    """Start a race of the enabled racers (stops this session's previous race)."""
    return _begin(old, request, racers_from_values(dataset, device, steps, seed, values))


@sessions.friendly
def race_lesson(old, key, device, request: gr.Request):
    """Race a lesson's preset against its contrast, with the lesson's exact settings."""
    lesson_obj = LESSONS.get(key)
    if lesson_obj is None or lesson_obj.contrast is None:
        raise GanLabError("choose a lesson to race from the list")
    first, second = lesson_obj.labels
    racers = [
        Racer(first, lesson_obj.config.updated(device=device or "auto")),
        Racer(second, lesson_obj.contrast.updated(device=device or "auto")),
    ]
    return _begin(old, request, racers)


@sessions.friendly
def race_stop(race):
    """Stop the race; the table keeps the final figures."""
    if race is None:
        raise GanLabError("no race yet: press Start race first")
    race.stop()
    return _outputs_for(race.snapshot)


def refresh(race, seen_version):
    """Timer tick: redraw when the race published a new snapshot."""
    if race is None or race.snapshot.version == seen_version:
        return gr.skip()
    return [race.snapshot.version, *_outputs_for(race.snapshot)]


def race_status(race):
    """The race's state and results table as JSON."""
    if race is None:
        return {"state": "none", "step": 0, "table": []}
    snap = race.snapshot
    return {
        "state": snap.state,
        "step": snap.step,
        "total_steps": snap.total_steps,
        "message": snap.message,
        "names": list(snap.names),
        "rows": [int(len(h)) for h in snap.histories],
        "table": snap.table(),
    }


INTRO = (
    "Race 2–4 settings on the **same data and seed**: every racer takes the same number "
    "of steps per round, so the curves compare like with like."
)


def _results_column() -> list:
    """The samples gallery, the three loss plots and the results table (in the views' order)."""
    gallery = gr.Gallery(
        label="Samples, one column per racer",
        columns=MAX_RACERS,
        height=380,
        object_fit="contain",
        elem_id="ganlab-race-gallery",
    )
    with gr.Row():
        plots = [
            gr.LinePlot(x="step", y="value", color="racer", label=label, color_title="")
            for label in ("D loss", "G loss", "G gradient norm")
        ]
    table = gr.Dataframe(label="Results (last 50 steps averaged)", interactive=False, wrap=True)
    return [gallery, *plots, table]


def build() -> None:
    """Lay out the Race tab: racer rows and settings on the left, samples, curves and the table right."""
    race_state = sessions.state()
    seen = gr.State(0)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=340):
            gr.Markdown(INTRO)
            with gr.Group():
                lesson = gr.Dropdown(LESSON_RACES, value=None, label="Race a lesson (its preset vs its contrast)")
                lesson_btn = gr.Button("Race this lesson", size="sm")
            dataset = gr.Dropdown(
                [c for c in controls.dataset_choices() if c[1] not in (controls.UPLOAD, controls.DRAW)],
                value="ring8",
                label="Data",
            )
            devices = controls.device_choices()
            device = gr.Dropdown(devices, value=devices[0][1], label="Device")
            with gr.Row():
                steps = gr.Number(1500, label="Steps", precision=0, minimum=1)
                seed = gr.Number(0, label="Seed", precision=0, minimum=0)
            rows = [_racer_row(i, spec) for i, spec in enumerate(DEFAULT_RACERS)]
            with gr.Row():
                start_btn = gr.Button("▶ Start race", variant="primary")
                stop_btn = gr.Button("■ Stop race", variant="stop")
            status = gr.Markdown("Pick settings and press **Start race**.")
        with gr.Column(scale=2):
            results = _results_column()
    timer = gr.Timer(0.5)
    views = [*results, status]
    row_inputs = {f"{field}_{i + 1}": row[field] for i, row in enumerate(rows) for field in RACER_FIELDS}

    sessions.name_errors({"dataset": dataset, "device": device, "steps": steps, "seed": seed})
    start_btn.click(
        race,
        inputs=[race_state, dataset, device, steps, seed],
        inputs_kwargs=row_inputs,
        outputs=[race_state, seen, *views],
        api_name="race",
        concurrency_limit=4,
    )
    lesson_btn.click(
        race_lesson,
        inputs=[race_state, lesson, device],
        outputs=[race_state, seen, *views],
        api_name="race_lesson",
        concurrency_limit=4,
    )
    stop_btn.click(race_stop, inputs=[race_state], outputs=views, api_name="race_stop")
    timer.tick(
        refresh,
        inputs=[race_state, seen],
        outputs=[seen, *views],
        show_progress="hidden",
        concurrency_limit=8,
        api_visibility="undocumented",
        api_name="race_refresh",
    )
    gr.Button(visible=False).click(
        race_status, inputs=[race_state], outputs=gr.JSON(visible=False), api_name="race_status", queue=False
    )
