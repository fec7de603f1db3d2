"""The StyleGAN lessons (the truncation trick, style mixing) really show what their text says,
for the preset's seed and the two after it, and they fill the Train form.

Both share one tiny digits StyleGAN per seed (about 50 s each on one thread), so this file takes
two to three minutes; it is apart from test_lessons.py so that two test workers share the load.
"""

from __future__ import annotations

import pytest

from ganlab.families.gan.lessons import LESSONS
from test_lessons import STYLE_LESSONS, assert_lesson_holds_for_three_seeds


def test_there_are_two_stylegan_lessons():
    assert STYLE_LESSONS == ["stylegan-truncation", "stylegan-mixing"]


@pytest.mark.slow
@pytest.mark.parametrize("key", STYLE_LESSONS)
def test_stylegan_lesson_shows_what_it_says(key):
    assert_lesson_holds_for_three_seeds(key)


def test_stylegan_lessons_are_in_the_registry_and_fill_the_form():
    from ganlab.families.stylegan.config import StyleGANConfig
    from ganlab.ui import controls

    for key in ("stylegan-truncation", "stylegan-mixing"):
        cfg = LESSONS[key].config
        assert isinstance(cfg, StyleGANConfig) and cfg.dataset == "digits"
        values = {**controls.form_values(cfg), **controls.style_values(cfg)}
        assert values["model"] == "stylegan"
        again = controls.config_from_form("digits", "cpu", **values)  # the form gives the lesson back
        assert again.to_dict() == cfg.updated(device="cpu").to_dict()


def test_the_stylegan_lessons_module_imports_on_its_own():
    import subprocess
    import sys

    code = (
        "import ganlab.families.stylegan.lessons as m; from ganlab.families.gan.lessons import LESSONS; "
        "assert 'stylegan-mixing' in LESSONS and m.style_lessons()"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # no circular import, whichever comes first
