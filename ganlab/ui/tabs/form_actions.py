"""The Train form's own reactions: what fills it when a data set, an upload, a model or a lesson
is picked (each fill also writes the hidden note of what it was for: :mod:`ganlab.ui.form_shown`).

The run's controls are :mod:`ganlab.ui.tabs.train_actions`; this module only fills the form.
"""

from __future__ import annotations

import gradio as gr

from ganlab.data import is_1d_dataset
from ganlab.families.gan.lessons import LESSONS
from ganlab.ui import controls, form_shown
from ganlab.ui.tabs.train_actions import kind_updates


def load_lesson(key):
    """Fill the form with a lesson's settings and show its explanation."""
    lesson_obj = LESSONS.get(key)
    if lesson_obj is None:
        raise gr.Error(f"unknown lesson {key!r}; choose one from the list", print_exception=False)
    values = controls.form_values(lesson_obj.config)
    style = controls.style_values(lesson_obj.config)
    points = controls.is_points(lesson_obj.config.dataset)
    return [
        lesson_obj.config.dataset,
        f"### {lesson_obj.title}\n{lesson_obj.text}",
        *[values[k] for k in controls.FIELDS],
        *kind_updates(points, one_d=is_1d_dataset(lesson_obj.config.dataset)),
        *[style[k] for k in controls.STYLE_FIELDS],
        *[values[k] for k in controls.LATE_FIELDS],
    ]


def lesson_shown(key):
    """The form's note after a lesson filled it (its own event, so /preset's outputs stay as they were)."""
    lesson_obj = LESSONS.get(key)
    if lesson_obj is None:
        return gr.skip()
    return form_shown.form_key(lesson_obj.config.dataset, None, controls.form_values(lesson_obj.config)["model"], key)


def _filled(dataset, upload, model) -> list:
    """The form's values for this data and model, then the hidden note of what they are for."""
    values = controls.defaults_for(dataset, upload, model)
    unchanged = values[0] == gr.skip()  # an empty upload leaves the form (and its note) as it is
    return [*values, gr.skip() if unchanged else form_shown.form_key(dataset, upload, model)]


def on_dataset(dataset, upload, model):
    return _filled(dataset, upload, model)


def on_upload(upload, model):
    return [controls.UPLOAD, *_filled(controls.UPLOAD, upload, model)]


def on_model(dataset, upload, model):
    """A new model: that family's recommended settings (2D data + stylegan: Train says why not)."""
    image_only = model == controls.style_controls.MODEL or controls.restore_controls.is_restore_model(model)
    if image_only and controls.is_points(dataset, upload):
        gr.Info(f"{model} trains on images: choose an image data set")
        return [gr.skip()] * (len(controls.FILL_FIELDS) + 1)
    return _filled(dataset, upload, model)


def on_dataset_shown(dataset, upload):
    """Views and inputs that depend on the data set (also when a lesson picks it)."""
    return [
        *kind_updates(controls.is_points(dataset, upload), one_d=is_1d_dataset(dataset)),
        gr.update(visible=dataset == controls.UPLOAD),
        gr.update(visible=dataset == controls.DRAW),
        gr.update(visible=controls.has_pair(dataset)),
    ]
