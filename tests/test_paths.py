"""Typed run names become one safe folder under runs/, whatever a visitor types."""

import re

from ganlab.paths import safe_run_name


def test_a_typed_name_cannot_leave_the_runs_folder():
    assert safe_run_name("../../etc/passwd") == "etc-passwd"
    assert safe_run_name("  my first GAN!  ") == "my-first-GAN"
    assert safe_run_name(".hidden") == "hidden"
    assert len(safe_run_name("x" * 500)) == 60


def test_an_empty_name_gets_a_timestamped_one():
    assert re.fullmatch(r"run-\d{8}-\d{6}", safe_run_name(""))
    assert re.fullmatch(r"cyclegan-\d{8}-\d{6}", safe_run_name("///", "cyclegan"))
