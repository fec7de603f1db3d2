"""Restore tab: x4 upscale, denoise or inpaint a picture with a restoration model, and
"degrade, then restore" to see PSNR/SSIM against a known clean picture.

Stable API endpoint: ``restore(image, model, mask=None, sigma=None) -> image`` (see
:mod:`ganlab.ui.tabs.restore_actions`, which holds the handlers; the comparison itself lives in
:mod:`ganlab.inference.restore_demo`). This module only lays the tab out and wires it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import gradio as gr

from ganlab.inference.restore_demo import MAX_SIDE
from ganlab.ui import sessions, uploads
from ganlab.ui.tabs import restore_actions as act

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
BRUSH_PX = 3  # in the picture's pixels: a stroke on a 28 px digit, widen it for photos (Brush Size)
DEFAULT_SIGMA = 0.25  # inside every shipped denoiser's training range (0 to 0.5)

INTRO = (
    "Restore a picture with a trained **restoration** model: **x4 upscale** (SRResNet, SRGAN), "
    "**denoise** or **inpaint** (pix2pix). Upload a photo or a digit, use the webcam or pick an example; "
    "for inpainting, paint the hole on the picture with the brush (or press *Random box*). "
    f"Pictures over {MAX_SIDE['sr4']} px (x4) or {MAX_SIDE['inpaint']} px (denoise, inpaint) on the "
    "longer side are scaled down first. **Degrade, then restore** treats your picture as the clean "
    "truth: it shrinks it x4, adds noise at the slider's sigma or cuts the hole, restores it, and scores "
    "every result against the original."
)

WHY_PSNR = (
    "**Why the GAN can score lower and look better.** PSNR and SSIM compare pixels with the truth. "
    "When a low-resolution patch could come from many sharp patches, the answer with the smallest "
    "average pixel error is their *average*, which is blurry: a model trained on pixel loss alone "
    "(SRResNet) learns that average and wins on PSNR. SRGAN's adversarial loss punishes anything the "
    "discriminator can tell from a real photo, blur included, so it commits to *one* sharp, plausible "
    "answer; where that answer's edges and texture sit a little off the true ones, each pixel error is "
    "larger, so PSNR drops while the picture looks sharper and more real."
)


def example_files() -> list[str]:
    """The example pictures shipped in ganlab/ui/examples (made by scripts/make_restore_examples.py)."""
    return [str(p) for p in sorted(EXAMPLES.glob("*.png"))]


def _controls(task: str) -> dict[str, Any]:
    """The left column: the editor, examples, task, model and the task's own controls."""
    names = act.model_choices(task)
    first = names[0] if names else None
    w: dict[str, Any] = {}
    w["editor"] = gr.ImageEditor(
        label=act.EDITOR_LABELS[task],
        type="filepath",
        image_mode="RGBA",
        sources=["upload", "webcam", "clipboard"],
        layers=False,
        transforms=(),
        height=420,
        format="png",
        brush=gr.Brush(default_size=BRUSH_PX, colors=["#ff3b30"], color_mode="fixed"),
        elem_id="ganlab-restore-editor",
    )
    gr.Examples(example_files(), inputs=w["editor"], label="Examples")
    w["task"] = gr.Radio(act.TASK_CHOICES, value=task, label="Task", elem_id="ganlab-restore-task")
    w["model"] = gr.Dropdown(
        names, value=first, label="Model", info="shipped models, and runs saved from the Train tab or the CLI (runs/…)"
    )
    refresh = gr.Button("Refresh model list", size="sm")
    w["sigma"] = gr.Slider(
        0,
        1,
        DEFAULT_SIGMA,
        step=0.01,
        label="Noise sigma (denoise; intensity units)",
        info="noise added before restoring: 0 if your picture is already noisy",
        visible=task == "denoise",
    )
    w["box"] = gr.Button("Random box", visible=task == "inpaint")
    with gr.Row():
        w["run"] = gr.Button("Restore", variant="primary")
        w["demo"] = gr.Button("Degrade, then restore")
    w["card"] = gr.Markdown(act.model_card(first))
    refresh.click(act.refresh_models, [w["task"], w["model"]], w["model"], api_visibility="private")
    return w


def _views() -> dict[str, Any]:
    """The right column: before/after, the restored picture, the demo's scored panels."""
    w: dict[str, Any] = {}
    w["slider"] = gr.ImageSlider(
        label="Before / after (drag)", type="pil", format="png", max_height=480, elem_id="ganlab-restore-slider"
    )
    w["note"] = gr.Markdown()
    w["output"] = gr.Image(
        label="Restored",
        type="filepath",
        format="png",
        interactive=False,
        buttons=["download", "fullscreen"],
        height=260,
        elem_id="ganlab-restore-output",
    )
    w["gallery"] = gr.Gallery(
        label="Degrade, then restore (PSNR / SSIM against the clean picture)",
        columns=4,
        height=320,
        object_fit="contain",
        format="png",
        elem_id="ganlab-restore-gallery",
    )
    w["scores"] = gr.Markdown()
    gr.Markdown(WHY_PSNR)
    return w


def build_restore_tab() -> dict[str, Any]:
    """Lay out the Restore tab inside the current ``gr.Blocks``; returns its components by name."""
    gr.Markdown(INTRO)
    with gr.Row():
        with gr.Column(scale=1, min_width=320):
            w = _controls(act.default_task())
        with gr.Column(scale=2):
            w.update(_views())
    # what /restore takes: the editor's picture, the model's name and the drawn mask land here
    # (hidden) so API callers send plain values: an image, a name, a grayscale mask or None
    image = gr.Image(type="filepath", format="png", visible=False, label="image")
    model = gr.Textbox(visible=False, label="model")
    mask = gr.Image(type="filepath", format="png", image_mode="L", visible=False, label="mask")
    uploads.pass_paths(w["editor"], image, mask, w["output"])  # handlers decode safely
    sessions.name_errors({"sigma": w["sigma"]})
    parts = [w["editor"], w["task"], w["model"]]
    given = [image, model, mask, w["sigma"]]
    w["run"].click(act.editor_parts, parts, [image, model, mask], api_visibility="private").success(
        act.restore_image, given, w["output"], api_name="restore"
    ).success(
        act.before_after,
        [image, w["output"], model, mask, w["sigma"]],
        [w["slider"], w["note"]],
        api_visibility="private",
    )
    w["demo"].click(act.editor_parts, parts, [image, model, mask], api_visibility="private").success(
        act.degrade_demo, given, [w["gallery"], w["scores"]], api_name="restore_demo", api_visibility="undocumented"
    )
    w["box"].click(act.random_box, w["editor"], w["editor"], api_visibility="private")
    w["task"].change(
        act.task_changed,
        [w["task"], w["model"]],
        [w["editor"], w["model"], w["sigma"], w["box"], w["card"]],
        api_visibility="private",
    )
    w["model"].change(act.model_card, w["model"], w["card"], api_visibility="private")
    w.update(image=image, model_name=model, mask=mask)
    return w


build = build_restore_tab  # the name ganlab.ui.app's TABS registry calls
