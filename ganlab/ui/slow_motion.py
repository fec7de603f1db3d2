"""The Train tab's slow motion: one iteration split into its numbered sub-steps, shown one at a time.

*Slow-motion step* pauses the run (if it trains), trains one iteration through
:meth:`~ganlab.families.gan.job.TrainingJob.slow_step`, and shows the first
sub-step large with its caption; the next follows about a second later (auto
play) or on *Next* (→ in presenter mode). *Next* after the last sub-step
takes another iteration. ``/slow_step`` returns every frame as a gallery of
(image, caption) pairs and leaves the run paused.
"""

from __future__ import annotations

from types import SimpleNamespace

import gradio as gr

from ganlab.errors import GanLabError
from ganlab.render import views as viz
from ganlab.ui import restore_views, sessions

AUTO_PLAY_S = 1.0  # seconds between sub-steps when auto play is on
INTRO = (
    "**Slow motion** takes one training iteration apart, as GAN Lab does: D's half (real samples, fakes, "
    "D's scores, D's loss, D's update), then G's half (fresh noise, fakes, D's scores, G's loss, the gradient "
    "arrows on each fake, G's update). D's surface changes only at D's update; the arrows appear only from "
    "the gradient sub-step on. *Train* below picks which networks the iteration trains."
)


def build(ui: SimpleNamespace) -> None:
    """The slow-motion panel (inside the views column)."""
    with gr.Accordion("Slow motion: one iteration, sub-step by sub-step", open=True, elem_id="ganlab-slowmo"):
        gr.Markdown(INTRO)
        with gr.Row():
            ui.slow_btn = gr.Button("Slow-motion step", size="sm", elem_id="ganlab-slow-btn")
            ui.next_btn = gr.Button("Next sub-step ▸", size="sm", elem_id="ganlab-next-btn")
            ui.auto_play = gr.Checkbox(True, label=f"Auto play ({AUTO_PLAY_S:g} s per sub-step)")
        with gr.Row(equal_height=False):
            ui.slow_view = gr.Image(
                label="Sub-step",
                type="numpy",
                height=480,
                format="png",
                interactive=False,
                elem_id="ganlab-slow-view",
                scale=3,
            )
            ui.slow_caption = gr.Markdown(
                "Press **Slow-motion step** to take one iteration apart.", elem_id="ganlab-slow-caption"
            )
        ui.slow_gallery = gr.Gallery(
            label="Every sub-step of the last slow iteration",
            columns=6,
            height=260,
            format="png",
            elem_id="ganlab-slow-gallery",
            allow_preview=True,
        )
    ui.slow_frames, ui.slow_index = gr.State([]), gr.State(0)
    ui.slow_timer = gr.Timer(AUTO_PLAY_S, active=False)


def _frames(job, layers) -> list[tuple]:
    if job is None:
        raise GanLabError("no run yet: press Train first")
    if restore_views.is_restore(job.snapshot) or not hasattr(job, "slow_step"):
        raise GanLabError("slow motion takes apart a GAN's iteration; a restoration run has no D-then-G step")
    from ganlab.render.slowmo import slow_frames

    return slow_frames(job.slow_step(), layers or viz.LAYERS)


def _show(frames: list[tuple], index: int) -> list:
    image, caption = frames[index]
    return [image, f"**Sub-step {index + 1} of {len(frames)}.** {caption}"]


@sessions.friendly
def slow_step_api(job, layers_value):
    """One training iteration in slow motion: D's sub-steps, then G's, as (image, caption) pairs in order
    (captions numbered). Works on a running or paused run and leaves it paused."""
    return _frames(job, layers_value)


@sessions.friendly
def slow_step(job, layers_value, auto_play):
    """The Slow-motion step button: train one iteration in slow motion and show its first sub-step."""
    frames = _frames(job, layers_value)
    return [frames, frames, 0, *_show(frames, 0), gr.Timer(active=bool(auto_play) and len(frames) > 1)]


def next_substep(job, layers_value, frames, index, auto_play):
    """Next: the following sub-step; after the last one, another iteration in slow motion."""
    if frames and index + 1 < len(frames):
        return [gr.skip(), gr.skip(), index + 1, *_show(frames, index + 1), gr.Timer(active=bool(auto_play))]
    return slow_step(job, layers_value, auto_play)


def tick(frames, index):
    """Auto play: one sub-step further each second, stopping at the last."""
    if not frames or index + 1 >= len(frames):
        return [gr.skip(), gr.skip(), gr.skip(), gr.Timer(active=False)]
    last = index + 2 >= len(frames)
    return [index + 1, *_show(frames, index + 1), gr.Timer(active=not last)]


def wire(ui: SimpleNamespace, after, after_outputs: list) -> None:
    """Events: the buttons, auto play, and the ``/slow_step`` endpoint (``after(job)`` refreshes
    ``after_outputs``, e.g. the status line and the pause/resume buttons, once a slow step is done)."""
    job, layers = ui.job_state, ui.layers
    shown = [ui.slow_gallery, ui.slow_frames, ui.slow_index, ui.slow_view, ui.slow_caption, ui.slow_timer]
    then = dict(fn=after, inputs=[job], outputs=after_outputs, api_visibility="private", show_progress="hidden")
    gr.Button(visible=False).click(
        slow_step_api, inputs=[job, layers], outputs=ui.slow_gallery, api_name="slow_step"
    )  # first: the contract's name is taken before any other
    ui.slow_btn.click(
        slow_step,
        inputs=[job, layers, ui.auto_play],
        outputs=shown,
        api_name="slow_step_button",
        api_visibility="private",
        show_progress="minimal",
    ).then(**then)
    ui.next_btn.click(
        next_substep,
        inputs=[job, layers, ui.slow_frames, ui.slow_index, ui.auto_play],
        outputs=shown,
        api_visibility="private",
        show_progress="hidden",
    ).then(**then)
    ui.slow_timer.tick(
        tick,
        inputs=[ui.slow_frames, ui.slow_index],
        outputs=[ui.slow_index, ui.slow_view, ui.slow_caption, ui.slow_timer],
        api_visibility="private",
        show_progress="hidden",
    )
