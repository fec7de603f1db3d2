"""Every lesson preset really shows what its text says (trained headlessly with its seed, on the CPU).

Lessons share runs (a lesson and its contrast are trained once), so the
whole file takes about a minute on two busy cores; the two StyleGAN lessons (marked slow)
share one tiny StyleGAN, about 25 s more.
"""

from __future__ import annotations

import pytest

from ganlab.families.gan.lessons import LESSONS, lesson_choices


def test_there_are_at_least_six_lessons_with_real_explanations():
    assert len(LESSONS) >= 6
    assert [key for _, key in lesson_choices()] == list(LESSONS)
    for lesson in LESSONS.values():
        assert len(lesson.text) > 200, lesson.key
        lesson.config.validate()
        if lesson.contrast is not None:
            lesson.contrast.validate()
            assert lesson.contrast.dataset == lesson.config.dataset  # a fair comparison
            assert lesson.contrast.seed == lesson.config.seed
        assert lesson.config.steps >= lesson.check_steps  # the UI run covers what was checked


SLOW = {"stylegan-truncation", "stylegan-mixing"}  # each trains a tiny StyleGAN (~25 s on one thread; shared)


@pytest.mark.parametrize("key", [pytest.param(k, marks=pytest.mark.slow) if k in SLOW else k for k in LESSONS])
def test_lesson_shows_what_it_says(key):
    result = LESSONS[key].verify("cpu")
    assert result.ok, f"{key}: {result.summary}"


def test_stylegan_lessons_are_in_the_registry_and_fill_the_form():
    from ganlab.families.stylegan.config import StyleGANConfig
    from ganlab.ui import controls

    for key in SLOW:
        cfg = LESSONS[key].config
        assert isinstance(cfg, StyleGANConfig) and cfg.dataset == "digits"
        values = {**controls.form_values(cfg), **controls.style_values(cfg)}
        assert values["model"] == "stylegan"
        again = controls.config_from_form("digits", "cpu", **values)  # the form gives the lesson back
        assert again.to_dict() == cfg.updated(device="cpu").to_dict()


def test_the_stylegan_lessons_module_imports_on_its_own():
    import subprocess
    import sys

    code = "import ganlab.families.stylegan.lessons as m; from ganlab.families.gan.lessons import LESSONS; " \
           "assert 'stylegan-mixing' in LESSONS and m.style_lessons()"
    subprocess.run([sys.executable, "-c", code], check=True)  # no circular import, whichever comes first
