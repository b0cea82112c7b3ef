"""``pytest exercises --failed-only``: the failing checks' messages and the score table only;
passing checks are silent, an exercise not attempted yet takes one line."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kit import EXERCISES, SOLUTIONS

from grader.catalog import exercise
from grader.words import say_in

STUBS = ("ex01_activations", "ex03_optimizers")
FINISHED = "ex02_losses"


def _run(folder: Path, *options: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", "exercises", "-p", "no:cacheprovider", *options],
        cwd=folder,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "GRADER_LANG": lang, "PYTHONIOENCODING": "utf-8", "COLUMNS": "100"},
        timeout=300,
    )


@pytest.fixture
def course(tmp_path: Path) -> Path:
    """The NumPy exercises' stubs, with ex02 finished (its reference solution)."""
    for name in STUBS:
        shutil.copytree(EXERCISES / name, tmp_path / "exercises" / name)
    shutil.copytree(SOLUTIONS / FINISHED, tmp_path / "exercises" / FINISHED)
    return tmp_path


def _not_attempted(name: str, lang: str = "en") -> str:
    found = exercise(name)
    return say_in(
        lang,
        "table.compact_not_attempted",
        exercise=name,
        checks=len(found.points),
        points=found.max_score,
        file=found.filename,
    )


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_stubs_take_one_line_each_and_passing_checks_are_silent(course: Path, lang: str) -> None:
    done = _run(course, "--failed-only", lang=lang)
    assert done.returncode == pytest.ExitCode.TESTS_FAILED, done.stdout + done.stderr
    out = done.stdout
    lines = out.splitlines()
    for name in STUBS:
        assert lines.count(_not_attempted(name, lang)) == 1
    assert FINISHED not in "".join(line for line in lines if not line.startswith("│"))
    # No check's own not-attempted message, no progress marks, no pytest failure report.
    assert "NotImplementedError를 발생시킵니다" not in out and "it still raises" not in out
    assert "FAILURES" not in out and "FAILED" not in out and "short test summary" not in out
    assert not any(set(line.strip()) <= set(".F") and line.strip() for line in lines)
    assert say_in(lang, "table.title") in out and "10 / 40" in out
    assert "23 failed, 6 passed" in lines[-1]


def test_a_failing_check_shows_its_message_once_under_its_heading(course: Path) -> None:
    losses = course / "exercises" / FINISHED / "losses.py"
    source = losses.read_text(encoding="utf-8")
    wrong = source.replace(
        "np.mean((np.asarray(y_true) - y_pred) ** 2, axis=-1)",
        "np.sum((np.asarray(y_true) - y_pred) ** 2, axis=-1)",
    )
    assert wrong != source
    losses.write_text(wrong, encoding="utf-8")
    done = _run(course, "--failed-only")
    out = done.stdout
    heading = "ex02_losses · mean_squared_error: summed over the last axis instead of averaged"
    assert out.count(heading) == 1
    message = out.partition(heading)[2]
    assert message.lstrip("\n").startswith("mean_squared_error(y_true, y_pred) is wrong")
    assert out.count("mean_squared_error(y_true, y_pred) is wrong") == 1
    assert "binary_crossentropy" not in out.partition("Score")[0]  # a passing check: silent


def test_without_the_option_every_check_reports_as_before(course: Path) -> None:
    done = _run(course)
    assert "FAILURES" in done.stdout and "exercises/ex02_losses/losses.py ......" in done.stdout
    assert _not_attempted("ex01_activations") not in done.stdout


def test_the_compact_parts_are_pure_functions_of_the_report() -> None:
    from fixture_reports import MSE_MESSAGE, mixed_report

    from grader.results.table import failing_checks, not_attempted_lines

    report = mixed_report()
    assert not_attempted_lines(report) == ["ex01_activations: not attempted yet: softmax"]
    shown = failing_checks(report)
    assert [f.heading for f in shown] == [
        "ex02_losses · mean_squared_error: summed instead of averaged",
        "ex02_losses · crossentropy_clipping: error",
    ]
    assert shown[0].message == MSE_MESSAGE


def test_a_module_that_does_not_import_is_shown_once() -> None:
    from fixture_reports import _grader_row

    from grader.results.model import build_score_report
    from grader.results.table import failing_checks

    checks = list(exercise("ex02_losses").points)
    broken = "losses.py does not import: SyntaxError at line 3"
    rows = [
        _grader_row("ex02_losses", check, "error", broken if i == 0 else "the same", "syntax")
        for i, check in enumerate(checks)
    ]
    report = build_score_report({"tests": rows}, [exercise("ex02_losses")], files={})
    assert [f.message for f in failing_checks(report)] == [broken]
