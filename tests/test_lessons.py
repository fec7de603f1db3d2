"""Every lesson preset really shows what its text says (trained headlessly on the CPU).

A claim that holds for one seed may hinge on the last digit of a float kernel
(another CPU, another result), so each check must hold for the preset's seed
and the two after it. Lessons share runs (a lesson and its contrast are
trained once per seed), so the whole file takes a minute or two on two busy cores.
The two StyleGAN lessons (marked slow) share one tiny StyleGAN per seed, about 25 s more each.
"""

from __future__ import annotations

import pytest

from ganlab.families.gan.lessons import LESSONS, lesson_choices

SEEDS = 3


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


def test_a_lesson_with_another_seed_changes_only_the_seed():
    lesson = LESSONS["balance"]
    other = lesson.with_seed(lesson.config.seed + 7)
    assert other.config == lesson.config.updated(seed=lesson.config.seed + 7)
    assert other.contrast == lesson.contrast.updated(seed=lesson.config.seed + 7)
    assert (other.key, other.text, other.check_steps) == (lesson.key, lesson.text, lesson.check_steps)


FAST = {"lr-too-high", "one-gan-step"}  # diverges within 10 steps: about a second for all three seeds


@pytest.mark.parametrize("key", [pytest.param(k, marks=() if k in FAST else pytest.mark.slow) for k in LESSONS])
def test_lesson_shows_what_it_says(key):
    lesson = LESSONS[key]
    seeds = [lesson.config.seed + i for i in range(SEEDS)]
    results = {seed: lesson.verify("cpu", seed=seed) for seed in seeds}
    failed = {seed: r.summary for seed, r in results.items() if not r.ok}
    assert not failed, f"{key} fails for seeds {sorted(failed)}: {failed}"


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
