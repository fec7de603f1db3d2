"""Every lesson preset really shows what its text says (trained headlessly with its seed, on the CPU).

Lessons share runs (a lesson and its contrast are trained once), so the
whole file takes about a minute on two busy cores.
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


@pytest.mark.parametrize("key", list(LESSONS))
def test_lesson_shows_what_it_says(key):
    result = LESSONS[key].verify("cpu")
    assert result.ok, f"{key}: {result.summary}"
