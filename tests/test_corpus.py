"""Realistic wrong implementations lose points on the right check with the right diagnosis;
correct variants get full marks.

Each entry changes one exercise's module of the reference solutions and is graded for that
exercise only: the other exercises' files are the reference's own, and test_scoring.py shows
that a broken or missing file costs nothing outside its exercise.
"""

from pathlib import Path
from typing import Any

import pytest
from format_totals import READERS, fractional, problems
from kit import CorpusEntry, corpus, grade_all, results, submission_with, typed

from grader.catalog import exercises
from grader.results import actions, formats, gradebooks
from grader.words import say

WRONG = corpus("wrong")
RIGHT = corpus("right")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    root = tmp_path_factory.mktemp("corpus")
    entries = WRONG + RIGHT
    jobs = [(submission_with(e, root / e.id), e.exercise) for e in entries]
    return {e.id: report for e, report in zip(entries, grade_all(jobs), strict=True)}


def test_corpus_covers_every_exercise() -> None:
    assert {e.exercise for e in WRONG} == {e.name for e in exercises()}
    assert all(e.fails and e.diagnosis for e in WRONG), "every wrong entry names its checks"


@pytest.mark.parametrize("entry", WRONG, ids=[e.id for e in WRONG])
def test_wrong_implementation_is_diagnosed(entry: CorpusEntry, graded: dict) -> None:
    report = graded[entry.id]
    assert [e["name"] for e in report["exercises"]] == [entry.exercise]
    by_check = results(report)
    failing = {name for (ex, name), t in by_check.items() if t["status"] != "passed"}
    assert all(
        ex == entry.exercise for (ex, name), t in by_check.items() if t["status"] != "passed"
    ), "a mistake in one exercise cost points in another"
    assert failing == entry.fails, (
        f"failed checks {sorted(failing)}, expected {sorted(entry.fails)}"
    )
    messages = [by_check[(entry.exercise, name)]["message"] for name in sorted(entry.fails)]
    assert any(entry.diagnosis in m for m in messages), "\n\n".join(messages)
    statuses = {by_check[(entry.exercise, name)]["status"] for name in entry.fails}
    assert entry.status in statuses
    assert report["score"] == report["max_score"] - sum(
        by_check[(entry.exercise, name)]["max_score"] for name in entry.fails
    )


KNOWN_WRONG_HINTS: dict[str, str] = {}
"""Wrong hints this test found and the judge still gives (strict: fixing one shows)."""


@pytest.mark.parametrize("entry", WRONG, ids=[e.id for e in WRONG])
def test_no_hint_for_a_mistake_not_made(
    entry: CorpusEntry, graded: dict, request: pytest.FixtureRequest
) -> None:
    """A message names a mistake only when the judge has evidence for it: every "Likely
    mistake" line in a wrong entry's messages names the mistake that entry makes (its
    diagnosis is in that line, as its name or its hint)."""
    if entry.id in KNOWN_WRONG_HINTS:
        request.applymarker(pytest.mark.xfail(strict=True, reason=KNOWN_WRONG_HINTS[entry.id]))
    opening = say("compare.mistake", name="\0", hint="").split("\0")[0]
    messages = [t["message"] for t in results(graded[entry.id]).values() if t["status"] != "passed"]
    others = [
        line
        for message in messages
        for line in message.splitlines()
        if line.startswith(opening) and entry.diagnosis not in line
    ]
    assert not others, "\n\n".join(messages)


@pytest.mark.parametrize("entry", WRONG + RIGHT, ids=[e.id for e in WRONG + RIGHT])
def test_grader_does_not_fail_on_a_student_mistake(entry: CorpusEntry, graded: dict) -> None:
    """A student's mistake gets a message about that mistake, never "the grader itself
    failed"."""
    opening = say("status.grader_error", error="\0").split("\0")[0]
    crashed = {
        name: t["message"]
        for (_, name), t in results(graded[entry.id]).items()
        if t["message"] and opening in t["message"]
    }
    assert not crashed, crashed


@pytest.mark.parametrize("entry", RIGHT, ids=[e.id for e in RIGHT])
def test_correct_variant_gets_full_marks(entry: CorpusEntry, graded: dict) -> None:
    report = graded[entry.id]
    wrong = {k: t["message"] for k, t in results(report).items() if t["status"] != "passed"}
    assert not wrong, wrong
    assert report["score"] == report["max_score"]


def test_messages_name_function_input_and_tolerance(graded: dict) -> None:
    message = results(graded["ex01_activations__sigmoid_sign"])[("ex01_activations", "sigmoid")][
        "message"
    ]
    for part in (
        "sigmoid(x)",
        "input:",
        "worst element",
        "expected (keras.activations.sigmoid)",
        "received:",
        "tolerance",
        "Likely mistake",
    ):
        assert part in message, message


@pytest.fixture(scope="module")
def fractional_corpus(graded: dict) -> list[tuple[str, Any]]:
    """Each wrong entry's real report with its checks worth fractional points (0.5, 0.25,
    2.5, ..., 0.1: ``format_totals.FRACTIONS``), as a batch's report of that id."""
    return [(e.id, fractional(typed(graded[e.id]), e.id, i)) for i, e in enumerate(WRONG)]


def test_the_fractional_corpus_has_fractions(fractional_corpus: list) -> None:
    """Most totals have a fraction, some of two decimals or more, and some carry binary
    floating point's noise (0.1 + 0.2), which no format may show as another total."""
    written = [repr(report.score) for _, report in fractional_corpus]
    decimals = [len(text.partition(".")[2].rstrip("0")) for text in written]
    assert sum(d > 0 for d in decimals) > len(written) / 2, written
    assert any(2 <= d <= 4 for d in decimals), written
    assert any(d > 4 for d in decimals), written


def test_every_format_with_points_is_read() -> None:
    """A new format with points gets a reader in format_totals.READERS; annotations are the
    only output of grader report without points."""
    named = {
        *formats.FORMATS,
        *actions.FORMATS,
        *(f"gradebook {f}" for f in gradebooks.GRADEBOOK_FORMATS),
    }
    assert named - {"annotations"} <= set(READERS), named - set(READERS)


@pytest.mark.parametrize("fmt", list(READERS))
def test_fractional_points_survive_every_format(
    fmt: str, fractional_corpus: list, tmp_path: Path
) -> None:
    """Every total and exercise score the format shows, parsed back from what it wrote, is the
    score report's to four decimals (the most the kit writes), a late penalty of 2.5 points
    included where the format has one."""
    shown = READERS[fmt](fractional_corpus, tmp_path)
    assert len(shown) >= 2 * len(fractional_corpus), f"{fmt} showed too little: {shown[:3]}"
    wrong = problems(shown)
    assert not wrong, f"{len(wrong)} of {len(shown)} numbers differ:\n" + "\n".join(wrong[:12])
