"""Where each exercise's code came from, as the student sees it: Gradescope's and
PrairieLearn's top-level output and the feedback pages list a notebook's cells, each graded or
left out with why, in the student's language. Notebooks are read, not graded: no sandbox runs
(tests/test_notebooks.py grades one through Gradescope's path)."""

from dataclasses import replace
from pathlib import Path

import pytest
from fixture_reports import mixed_report
from notebooks import build

from grader.catalog import exercise
from grader.commands import submission_files as archive
from grader.results import formats as exports
from grader.results.feedback import feedback_html, feedback_markdown
from grader.results.model import ScoreReport
from grader.results.source_notes import source_lines

EX01, EX02 = exercise("ex01_activations"), exercise("ex02_losses")
SHARED = len(build.definitions(build.ACTIVATIONS)) + 3
"""The cell of ``one_notebook`` that gives both exercises its import (ex02's first)."""
PLOT = "def plot_history(history):\n    return history\n"
"""A cell that defines nothing either exercise uses."""


def _report(folder: Path, lang: str) -> ScoreReport:
    """A small report whose ``sources`` are what staging ``folder`` found, in ``lang``."""
    taken = archive.read_submission(folder, [EX01, EX02])
    return ScoreReport.from_dict(
        replace(mixed_report(), sources=tuple(taken.sources_list(lang))).to_dict()
    )


@pytest.fixture
def one_notebook(tmp_path: Path) -> Path:
    """Both exercises in one notebook: a magic cell, ex01's cells, a plotting helper, ex02's
    cells, a cell with a syntax error."""
    sources = ["%matplotlib inline\n", *build.definitions(build.ACTIVATIONS), PLOT]
    sources += [*build.definitions(build.LOSSES), "def broken(:\n    pass\n"]
    build.write(build.jupyter(sources), tmp_path / "lab" / "homework.ipynb")
    return tmp_path


def _listing(lines: list[str]) -> dict[int, list[str]]:
    said: dict[int, list[str]] = {}
    for line in lines:
        if line.startswith("  cell "):
            position, _, use = line.removeprefix("  cell ").partition(": ")
            said[int(position)] = [use]
        elif line.startswith("    "):
            said[max(said)].append(line.strip())
    return said


def test_one_notebook_for_two_exercises_is_listed_once(one_notebook: Path) -> None:
    lines = source_lines(_report(one_notebook, "en"), "en")
    assert lines[:2] == [
        "ex01_activations: Graded from the notebook lab/homework.ipynb: only its definitions, "
        "the notebook itself was not run.",
        "ex02_losses: Graded from the notebook lab/homework.ipynb: only its definitions, "
        "the notebook itself was not run.",
    ]
    assert (
        lines.count(
            "lab/homework.ipynb, cell by cell (counted from the top, markdown cells included):"
        )
        == 1
    )
    said = _listing(lines)
    ex01, ex02 = len(build.definitions(build.ACTIVATIONS)), len(build.definitions(build.LOSSES))
    plot, last = ex01 + 2, ex01 + ex02 + 3
    assert said.keys() == set(range(1, last + 1))
    assert said[2] == ["not graded", "np defined again in a later cell, which is the one graded"]
    assert said[plot + 1] == ["graded, for ex01_activations: np; ex02_losses: np, EPSILON"]
    assert said[plot] == [
        "not graded",
        "defines nothing ex01_activations uses",
        "defines nothing ex02_losses uses",
    ]
    for position in range(plot + 2, last):  # ex02's own cells: not said to be unused by ex01
        assert said[position][0].startswith("graded, for ex02_losses: "), said[position]
        assert len(said[position]) == 1
    assert said[last][0] == "not graded" and "a syntax error at line 1" in said[last][1]
    assert said[1][2] == "line 1: an IPython magic or shell line, left out: %matplotlib inline"


def test_platforms_and_pages_show_the_cells_in_the_students_language(
    one_notebook: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("GRADER_LANG", "ko")
    report = _report(one_notebook, "ko")
    gradescope = exports.gradescope_results(report)["output"]
    prairielearn = exports.prairielearn_results(report)["output"]
    assert gradescope.startswith("2 / 7.25점\n\n연습문제마다 채점한 코드를 가져온 곳")
    assert prairielearn == gradescope.partition("\n\n")[2]
    for text in (gradescope, prairielearn):
        assert "lab/homework.ipynb의 셀별 채점 내용" in text
        assert "  1번 셀: 채점하지 않음\n    가져온 것 없음" in text
        assert f"  {SHARED}번 셀: 채점에 씀, ex01_activations: np; ex02_losses: np, EPSILON" in text
        assert "1번째 줄에 문법 오류가 있습니다" in text
    page = feedback_markdown(report, "kim", "ko")
    assert (
        "## 연습문제마다 채점한 코드를 가져온 곳(노트북은 실행하지 않고 정의만 채점합니다)\n"
        in page
    )
    assert "```text\nex01_activations: 노트북 lab/homework.ipynb에서 채점했습니다." in page
    assert page.index("가져온 곳") < page.index("통과하지 못한 검사")  # before the failing checks
    html_page = feedback_html(report, "kim", "ko")
    assert "<h2>연습문제마다 채점한 코드를 가져온 곳" in html_page
    assert (
        f"  {SHARED}번 셀: 채점에 씀, ex01_activations: np; ex02_losses: np, EPSILON\n" in html_page
    )


def test_a_py_that_wins_over_a_notebook_says_so(tmp_path: Path) -> None:
    (tmp_path / EX01.name).mkdir()
    (tmp_path / EX01.relative_path).write_text(build.ACTIVATIONS, encoding="utf-8")
    build.write(build.jupyter(build.definitions(build.ACTIVATIONS)), tmp_path / "scratch.ipynb")
    lines = source_lines(_report(tmp_path, "en"), "en")
    assert lines == [
        "ex01_activations: Graded from ex01_activations/activations.py; the notebook "
        "scratch.ipynb defines this exercise too and was not used (a .py file wins over a "
        "notebook)."
    ]


def test_py_files_alone_add_nothing(tmp_path: Path) -> None:
    for chosen, text in ((EX01, build.ACTIVATIONS), (EX02, build.LOSSES)):
        (tmp_path / chosen.name).mkdir()
        (tmp_path / chosen.relative_path).write_text(text, encoding="utf-8")
    report = _report(tmp_path, "en")
    assert source_lines(report, "en") == []
    assert exports.gradescope_results(report)["output"] == "2 / 7.25 points"
    assert "output" not in exports.prairielearn_results(report)
    assert "## Where each exercise" not in feedback_markdown(report, "kim", "en")
