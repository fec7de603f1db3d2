"""The Train CycleGAN tab: two zips of photos (or summer/winter), Train, watch the translation learn.

The session's :class:`~ganlab.families.cyclegan.job.CycleGANJob` lives in a
``gr.State`` (stopped when the tab closes, like the Train tab's run); a
``gr.Timer(0.5)``, active only while a run trains, redraws the A -> B -> A
triplets and the loss curves when a new snapshot exists. Stable endpoint
names: ``cyclegan_train``, ``cyclegan_stop``, ``cyclegan_status``,
``cyclegan_save`` (see docs/style.md).
"""

from __future__ import annotations

import tempfile
import zipfile
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import gradio as gr
import numpy as np
import pandas as pd

from ganlab.data.images import data_root
from ganlab.data.named import DEFAULT_SET, SUMMER2WINTER
from ganlab.errors import GanLabError
from ganlab.paths import runs_dir, safe_run_name
from ganlab.families.cyclegan.config import CycleGANConfig
from ganlab.families import FAMILIES
from ganlab.families.cyclegan.job import CPU_DEFAULTS, HISTORY_COLUMNS, CycleGANJob
from ganlab.engine.background import TERMINAL
from ganlab.ui import controls, sessions, uploads
from ganlab.ui.numbers import slider_range, whole_number

REFRESH_S = 0.5
UPLOAD = "Upload two zips"
SUMMER_WINTER = f"{DEFAULT_SET} (from the data root)"
MAX_POINTS = 300  # per series on a plot (older steps are averaged in buckets)
PLOTS = {  # plot -> (history column, legend label)
    "adversarial": (("g_ab", "G A→B (fool D_B)"), ("g_ba", "G B→A (fool D_A)"), ("d_a", "D_A"), ("d_b", "D_B")),
    "cycle": (("cycle", "cycle (×λ)"), ("identity", "identity (×λ·0.5)")),
}
COLOURS = ("#3b75af", "#ef8636", "#2ca02c", "#7b3294")
COL = {name: i for i, name in enumerate(HISTORY_COLUMNS)}
EXPLAIN = (
    "**Top rows**: a photo from A, G's translation to B, and G_BA's translation of that back to A. "
    "**Bottom rows**: the same from B. CycleGAN learns both directions at once: each discriminator "
    "says whether a photo looks like its domain (*adversarial* losses; LSGAN, lower is better for "
    "whoever it is named after), and the way back must give the original photo (*cycle* loss: left "
    "and right columns alike). The *identity* loss keeps a photo that is already in the target "
    "domain unchanged, which preserves colours."
)


def _summer_winter_present() -> bool:
    base = data_root() / SUMMER2WINTER
    return (base / "trainA").is_dir() and (base / "trainB").is_dir()


def _sources() -> list[str]:
    return [UPLOAD, SUMMER_WINTER] if _summer_winter_present() else [UPLOAD]


# /cyclegan_train's parameters in their order: the form's widgets by these names, passed to the
# handler and to config_from_form as keywords (one list, so the three cannot drift apart)
FORM_FIELDS = (
    "source",
    "zip_a",
    "zip_b",
    "device",
    "steps",
    "image_size",
    "ngf",
    "n_blocks",
    "batch_size",
    "max_images",
    "seed",
    "upsample",
)
MIN_CROP = 32  # the PatchGAN's three stride-2 layers need at least 32 px (the config allows 16)


def _field(label: str, name: str, value: Any) -> int:
    """A whole-number form value within the config's own bounds for ``name``."""
    low, high = slider_range(CycleGANConfig, name)
    if name == "image_size":
        low = max(low, MIN_CROP)
    return whole_number(label, value, low, high)


def config_from_form(
    source: str,
    zip_a,
    zip_b,
    device: str,
    steps,
    image_size,
    ngf,
    n_blocks,
    batch_size,
    max_images,
    seed,
    upsample: str = "deconv",
) -> CycleGANConfig:
    """The form's values as a validated config (CPU-sized defaults for anything left empty)."""
    if source == SUMMER_WINTER:
        dataset = DEFAULT_SET
    else:
        if not zip_a or not zip_b:
            raise GanLabError("upload two zips of photos: one for domain A and one for domain B")
        a, b = sessions.check_uploads([zip_a, zip_b])
        dataset = f"unpaired:{a},{b}"
    size = _field("image size", "image_size", image_size)
    fields = dict(
        CPU_DEFAULTS,
        load_size=None,
        image_size=size - size % 4,
        steps=_field("steps", "steps", steps),
        ngf=_field("ngf", "ngf", ngf),
        n_blocks=_field("residual blocks", "n_blocks", n_blocks),
        batch_size=_field("batch size", "batch_size", batch_size),
        max_images=_field("images per domain", "max_images", max_images),
        seed=_field("seed", "seed", seed),
        upsample=upsample,  # validate() names it when it is neither deconv nor resize
    )
    return CycleGANConfig(dataset=dataset, device=device or "auto", **fields).validate()


def _frame(history: np.ndarray, which: str) -> pd.DataFrame | None:
    """Long-format (step, value, series) for a plot; None before the first step (a first empty
    table would leave Gradio's plot blank for good)."""
    if not len(history):
        return None
    n = len(history)
    if n > MAX_POINTS:
        edges = np.linspace(0, n, MAX_POINTS + 1).astype(int)
        rows = np.add.reduceat(history, edges[:-1], axis=0) / np.diff(edges)[:, None]
        rows[:, 0] = history[edges[1:] - 1, 0]
    else:
        rows = history
    frame = pd.concat(
        [
            pd.DataFrame({"step": rows[:, 0].astype(int), "value": rows[:, COL[col]], "series": label})
            for col, label in PLOTS[which]
        ],
        ignore_index=True,
    )
    frame = frame[np.isfinite(frame["value"].to_numpy(dtype=float))]
    return frame if len(frame) else None


def _plot(label: str, which: str) -> gr.LinePlot:
    colours = {label: COLOURS[i] for i, (_, label) in enumerate(PLOTS[which])}
    # a fixed colour map and no fixed height (one cuts the legend off)
    return gr.LinePlot(
        x="step",
        y="value",
        color="series",
        label=label,
        x_title="step",
        y_title="",
        color_title="",
        color_map=colours,
        elem_id=f"ganlab-cyclegan-{which}-plot",
    )


def status_markdown(snap) -> str:
    rate = f"{snap.steps_per_s:.1f} steps/s" if snap.steps_per_s else "— steps/s"
    text = (
        f"**{snap.state}** · step {snap.step:,} / {snap.total_steps:,} · {rate} · {snap.device} · "
        f"{snap.dataset} ({snap.domains[0]} ↔ {snap.domains[1]})"
    )
    return text + (f"\n\n{snap.message}" if snap.message else "")


def _views(snap) -> list:
    return [snap.triplets, _frame(snap.history, "adversarial"), _frame(snap.history, "cycle"), status_markdown(snap)]


def _need_job(job: CycleGANJob | None) -> CycleGANJob:
    if job is None:
        raise GanLabError("no CycleGAN run yet: press Train first")
    return job


def _zip_folders(folders: list[Path]) -> str:
    """One zip holding each folder under its own name (the run and both exports)."""
    path = Path(tempfile.mkdtemp(prefix="ganlab-")) / f"{folders[0].name}.zip"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for folder in folders:
            for file in sorted(folder.rglob("*")):
                if file.is_file():
                    archive.write(file, Path(folder.name) / file.relative_to(folder))
    return str(path)


VIEW_COUNT = 4  # triplets, adversarial plot, cycle plot, status: what train/refresh return


@sessions.friendly
def train(job, request: gr.Request, **form: Any):
    """Start a CycleGAN run on the chosen photos (stops this session's previous run); ``form``
    holds the FORM_FIELDS."""
    cfg = config_from_form(**form)
    sessions.close_run(job)
    job = FAMILIES["cyclegan"].start(cfg)
    sessions.remember(request, "cyclegan", job)
    snap = job.snapshot
    return [job, snap.version, *_views(snap), gr.Timer(active=True)]


def refresh(job, seen_version):
    """Timer tick: redraw when a new snapshot exists; switch the timer off once the run ended."""
    if job is None:
        return [seen_version, *[gr.skip()] * VIEW_COUNT, gr.Timer(active=False)]
    snap = job.snapshot
    ended = snap.state in TERMINAL and not job.alive
    if snap.version == seen_version:
        return [seen_version, *[gr.skip()] * VIEW_COUNT, gr.Timer(active=not ended)]
    return [snap.version, *_views(snap), gr.Timer(active=not ended)]


@sessions.friendly
def stop(job):
    """Stop the run for good; the views keep its last state."""
    job = _need_job(job)
    job.stop()
    return status_markdown(job.snapshot)


def status_api(job):
    """JSON: state, step, total_steps, history_rows, steps_per_s, device, domains, last losses."""
    if job is None:
        return {"state": "none", "step": 0, "history_rows": 0}
    return job.snapshot.as_dict()


@sessions.friendly
def save(job, name):
    """Save the run to runs/NAME and each direction to runs/NAME-A2B, runs/NAME-B2A (a zip of all)."""
    folder = runs_dir() / safe_run_name(name, "cyclegan")
    paths = _need_job(job).save(folder)
    gr.Info(f"Saved {', '.join(p.name for p in paths)} under {folder.parent}")
    return _zip_folders(paths)


def build() -> None:
    """Lay out the Train CycleGAN tab inside the current gr.Blocks."""
    job_state = sessions.state()
    seen = gr.State(0)
    with gr.Row(equal_height=False):
        with gr.Column(scale=1, min_width=340):
            f = _form_column()
        with gr.Column(scale=2):
            triplets = gr.Image(
                label="A → B → A and B → A → B", type="pil", format="png", interactive=False, height=560
            )
            with gr.Row():
                adv_plot = _plot("Adversarial losses (LSGAN)", "adversarial")
                cycle_plot = _plot("Cycle and identity losses", "cycle")
            gr.Markdown(EXPLAIN)
    timer = gr.Timer(REFRESH_S, active=False)

    views = [triplets, adv_plot, cycle_plot, f.status]  # VIEW_COUNT of them
    form = {name: getattr(f, name) for name in FORM_FIELDS}

    uploads.pass_paths(f.zip_a, f.zip_b)  # a wrong kind of file is refused naming it
    sessions.name_errors({"source": f.source, "device": f.device, "steps": f.steps})

    f.source.change(
        lambda s: gr.update(visible=s == UPLOAD), inputs=[f.source], outputs=[f.upload_row], api_visibility="private"
    )
    f.train_btn.click(
        train,
        inputs=[job_state],
        inputs_kwargs=form,
        outputs=[job_state, seen, *views, timer],
        api_name="cyclegan_train",
        concurrency_limit=4,
    )
    timer.tick(
        refresh,
        inputs=[job_state, seen],
        outputs=[seen, *views, timer],
        show_progress="hidden",
        concurrency_limit=8,
        api_name="cyclegan_refresh",
        api_visibility="undocumented",
    )
    f.stop_btn.click(stop, inputs=[job_state], outputs=[f.status], api_name="cyclegan_stop", show_progress="hidden")
    gr.Button(visible=False).click(
        status_api, inputs=[job_state], outputs=gr.JSON(visible=False), api_name="cyclegan_status", queue=False
    )
    f.save_btn.click(save, inputs=[job_state, f.run_name], outputs=f.download, api_name="cyclegan_save")


def _form_column() -> SimpleNamespace:
    """The left column: photos, device, steps, model sizes, the buttons, status and save."""
    sources = _sources()
    devices = controls.device_choices()
    f = SimpleNamespace()
    f.source = gr.Radio(sources, value=sources[-1], label="Photos")
    with gr.Row(visible=sources[-1] == UPLOAD) as f.upload_row:
        f.zip_a = gr.File(label="Domain A (zip of photos)", file_types=[".zip"], type="filepath")
        f.zip_b = gr.File(label="Domain B (zip of photos)", file_types=[".zip"], type="filepath")
    f.device = gr.Dropdown(devices, value=devices[0][1], label="Device")
    f.steps = gr.Number(CPU_DEFAULTS["steps"], label="Steps", precision=0, minimum=1)
    with gr.Accordion("Model & crops (CPU-sized defaults)", open=False):
        f.image_size = gr.Number(CPU_DEFAULTS["image_size"], label="Crop size (px, ≥ 32)", precision=0)
        f.ngf = gr.Number(CPU_DEFAULTS["ngf"], label="Generator width (ngf)", precision=0)
        f.n_blocks = gr.Number(CPU_DEFAULTS["n_blocks"], label="Residual blocks", precision=0)
        f.batch_size = gr.Number(CPU_DEFAULTS["batch_size"], label="Batch size", precision=0)
        f.max_images = gr.Number(CPU_DEFAULTS["max_images"], label="Images per domain (at most)", precision=0)
        f.seed = gr.Number(0, label="Seed", precision=0)
        f.upsample = gr.Radio(
            [("transposed conv (the paper's)", "deconv"), ("resize + conv (no checkerboard)", "resize")],
            value="deconv",
            label="Upsampling in G",
            info="a stride-2 transposed conv overlaps unevenly and leaves a grid in flat areas",
        )
    with gr.Row():
        f.train_btn = gr.Button("▶ Train", variant="primary")
        f.stop_btn = gr.Button("■ Stop", variant="stop")
    f.status = gr.Markdown("Upload two zips (or pick summer2winter) and press **Train**.")
    with gr.Accordion("Save", open=False):
        f.run_name = gr.Textbox(label="Run name (saved under runs/)", placeholder="my-cyclegan")
        f.save_btn = gr.Button("Save run + both directions", size="sm")
        f.download = gr.File(label="Download", interactive=False)
    return f
