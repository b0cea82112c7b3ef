"""Which folders a judge hides: every other copy of the grader package, with its checkout."""

import sys
from pathlib import Path

import pytest

from grader.isolation.policy import grader_copies, sandbox_policy


def test_a_second_copy_of_the_kit_on_the_path_is_hidden(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A second checkout (an editable install of another clone, a copy in site-packages)
    would let a student's process import the checks from there."""
    other = tmp_path / "other-checkout"
    (other / "grader" / "checks").mkdir(parents=True)
    (other / "grader" / "__init__.py").write_text("")
    (other / "solutions").mkdir()
    (other / "pyproject.toml").write_text("")
    monkeypatch.setattr(sys, "path", [*sys.path, str(other)])
    assert (other / "grader").resolve() in grader_copies()
    hidden = sandbox_policy([]).hide
    assert str((other / "grader").resolve()) in hidden
    assert str((other / "solutions").resolve()) in hidden


def test_the_grader_in_use_is_not_listed_as_another_copy() -> None:
    from grader import PACKAGE_DIR

    assert PACKAGE_DIR not in grader_copies()
