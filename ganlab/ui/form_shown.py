"""Which settings the Train form was last filled with, so a Train click that outruns the fill
still trains the data set's preset.

Picking a data set (or a model) fills the form from that set's preset, on the server. A click
on Train sends the form's values as the browser holds them at that moment: on a busy server the
fill may not have arrived yet, and the run would take the *previous* set's settings (ring-8 at
the digits form's 1,500 steps). So every fill also writes a hidden key naming what it filled
(data choice, upload, model, lesson), and the Train handler compares it with the data and model
it is asked to train. When they differ, a value still equal to the shown fill was not the
user's choice: it is dropped, and the new set's preset fills it. A value the user edited stays.
"""

from __future__ import annotations

import json
from typing import Any

from ganlab.families.gan.lessons import LESSONS
from ganlab.ui import controls

# Which form fields a stale fill may have left behind (the data, device and model are the
# user's own picks, always taken as sent).
FILLED = tuple(k for k in controls.FILL_FIELDS if k != "model")


def _filled_for(dataset: str, upload: str | None, model: str | None) -> list:
    """The data choice, upload and model a fill is for (what the key and a Train click compare)."""
    return [dataset, upload or None, model or "auto"]


def form_key(dataset: str, upload: str | None = None, model: str | None = None, lesson: str | None = None) -> str:
    """The hidden key of a fill: what the form shows after ``defaults_for(dataset, upload, model)``
    (or after loading ``lesson``)."""
    return json.dumps([*_filled_for(dataset, upload, model), lesson])


def _shown_values(key: list) -> dict[str, Any] | None:
    """The values a fill put in the form, by field name (None for a key this app did not write)."""
    dataset, upload, model, lesson = key
    if lesson is not None:
        found = LESSONS.get(lesson)
        if found is None:
            return None
        return {**controls.form_values(found.config), **controls.style_values(found.config)}
    filled = controls.defaults_for(dataset, upload, model)
    return dict(zip(controls.FILL_FIELDS, filled))


def _parse(key: str) -> list | None:
    try:
        parsed = json.loads(key)
    except (TypeError, ValueError):
        return None
    return parsed if isinstance(parsed, list) and len(parsed) == 4 else None


def unstale(values: dict[str, Any], shown: str | None, upload: str | None = None) -> dict[str, Any]:
    """``values`` without what a fill for other data or another model left in the form.

    ``shown`` is the hidden key (empty from a script: its values are taken as sent). When its
    data choice, upload and model are the ones being trained, the form is current and nothing
    changes; otherwise every field still equal to that fill's value is dropped."""
    key = _parse(shown or "")
    if key is None:
        return values
    if key[:3] == _filled_for(values.get("dataset", ""), upload, values.get("model")):
        return values
    before = _shown_values(key)
    if before is None:
        return values
    return {k: v for k, v in values.items() if not (k in FILLED and k in before and controls.same(v, before[k]))}
