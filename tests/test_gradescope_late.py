"""Late work on Gradescope: `grader export gradescope --late-penalty` puts the rule in the
autograder zip, and `grader autograde gradescope` applies it to the times in Gradescope's
submission_metadata.json (a copy of its documented example), as its own test in
results.json; the same rule as `grader gradebook`. No sandbox runs: the grading step returns
a fixture report."""

import copy
import json
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from fixture_reports import mixed_report

from grader.commands import cli
from grader.commands import export as platforms
from grader.results import gradebooks
from grader.results.formats import gradescope_results
from grader.results.late_work import LatePolicy, late_work, with_late_line

DOCUMENTED_EXAMPLE: dict[str, Any] = {
    "id": 123456,
    "created_at": "2018-07-01T14:22:32.365935-07:00",
    "assignment": {
        "due_date": "2018-07-31T23:00:00.000000-07:00",
        "group_size": 4,
        "group_submission": True,
        "id": 25828,
        "course_id": 1234,
        "late_due_date": None,
        "release_date": "2018-07-02T00:00:00.000000-07:00",
        "title": "Programming Assignment 1",
        "total_points": "20.0",
    },
    "submission_method": "upload",
    "users": [{"email": "student@example.com", "id": 1234, "name": "Student User"}],
    "previous_submissions": [
        {"submission_time": "2017-04-06T14:24:48.087023-07:00", "score": 0.0, "results": {}}
    ],
}
"""Gradescope's documented example of /autograder/submission_metadata.json ("Submission
Metadata" in its autograder documentation), its comments left out."""
DOCUMENTED_RESULTS: dict[str, Any] = {
    "score": 44.0,
    "execution_time": 136,
    "output": "Text relevant to the entire submission",
    "output_format": "simple_format",
    "test_output_format": "text",
    "test_name_format": "text",
    "visibility": "after_due_date",
    "stdout_visibility": "visible",
    "extra_data": {},
    "tests": [
        {
            "score": 2.0,
            "max_score": 2.0,
            "status": "passed",
            "name": "Your name here",
            "name_format": "text",
            "number": "1.1",
            "output": "Giant multiline string that will be placed in a <pre> tag and collapsed",
            "output_format": "text",
            "tags": ["tag1", "tag2", "tag3"],
            "visibility": "visible",
            "extra_data": {},
        },
    ],
    "leaderboard": [
        {"name": "Accuracy", "value": 0.926},
        {"name": "Time", "value": 15.1, "order": "asc"},
        {"name": "Stars", "value": "*****"},
    ],
}
"""Gradescope's documented results.json ("Output format" in its autograder specification,
https://gradescope-autograders.readthedocs.io/en/latest/specs/), its comments left out. They
say: the top-level score is "optional, but required if not on each test case below. Overrides
total of tests if specified"; a test's score is "optional, but required if not on top level
submission"; every other field is optional. Nothing there says a test's score may be
negative."""
DOCUMENTED_STATUS_EXAMPLE: dict[str, Any] = {
    "tests": [
        {"name": "Compilation check", "status": "passed"},
        {"name": "Style check", "status": "failed"},
        {"name": "Test 3", "score": 5, "max_score": 10, "status": "passed"},
    ]
}
"""The specification's "Test case status" example: tests without score information are
"informational checks with a passing or failing status"."""
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}
"""The visibility options the specification lists."""
REPORT = mixed_report()
"""2 of 7.25 points."""


def _json_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    return {str: "string", list: "array", dict: "object", type(None): "null"}[type(value)]


def shape_problems(results: dict[str, Any]) -> list[str]:
    """How ``results`` departs from the documented shape: a field the specification does not
    list or of another JSON type than its example's, a status other than passed or failed, an
    unlisted visibility, a test score that is negative."""
    problems = []
    documented_test = DOCUMENTED_RESULTS["tests"][0]
    for where, given, documented in [
        ("results.json", results, DOCUMENTED_RESULTS),
        *((f"test {i}", test, documented_test) for i, test in enumerate(results.get("tests", []))),
    ]:
        for key, value in given.items():
            if key not in documented:
                problems.append(f"{where}: {key!r} is not a documented field")
            elif _json_type(value) != _json_type(documented[key]):
                problems.append(
                    f"{where}: {key!r} is a {_json_type(value)}, documented as a "
                    f"{_json_type(documented[key])}"
                )
        if given.get("visibility", "visible") not in VISIBILITIES:
            problems.append(f"{where}: visibility {given['visibility']!r} is not documented")
    for i, test in enumerate(results.get("tests", [])):
        if test.get("status", "passed") not in ("passed", "failed"):
            problems.append(f"test {i}: status {test['status']!r} is not passed or failed")
        if isinstance(test.get("score"), int | float) and test["score"] < 0:
            problems.append(f"test {i}: a negative score ({test['score']}) is not documented")
    return problems


def test_the_shape_check_accepts_the_documented_examples_and_refuses_others() -> None:
    assert shape_problems(DOCUMENTED_RESULTS) == []
    assert shape_problems(DOCUMENTED_STATUS_EXAMPLE) == []
    wrong = {
        "points": 3,
        "tests": [{"name": "a", "score": -1, "status": "error", "visibility": "soon"}],
    }
    assert shape_problems(wrong) == [
        "results.json: 'points' is not a documented field",
        "test 0: visibility 'soon' is not documented",
        "test 0: status 'error' is not passed or failed",
        "test 0: a negative score (-1) is not documented",
    ]
    assert shape_problems({"tests": [{"name": "b", "score": "1"}]}) == [
        "test 0: 'score' is a string, documented as a number"
    ]


def test_results_follow_the_documented_shape() -> None:
    results = gradescope_results(mixed_report(hidden=True))
    assert shape_problems(results) == [] and "score" in results
    assert results["score"] == 2 and results["output"] == "2 / 8.75 points"
    assert sum(t["score"] for t in results["tests"]) == results["score"]


def metadata(created_at: str, late_due_date: str | None = None) -> str:
    data = copy.deepcopy(DOCUMENTED_EXAMPLE)
    data["created_at"] = created_at
    data["assignment"]["late_due_date"] = late_due_date
    return json.dumps(data)


def _late_line(results: dict[str, Any]) -> dict[str, Any]:
    """The late rule's test, once the results are checked: the documented shape, the checks'
    tests as without a rule, and the top-level score (which overrides the tests' total) the
    checks' points less the penalty the late test records."""
    assert shape_problems(results) == [], results
    assert "score" in results, "the total is the top-level score, which overrides the tests'"
    lines = [t for t in results["tests"] if t["name"] == "Late penalty"]
    assert len(lines) == 1, "the late rule has exactly one test of its own"
    line = lines[0]
    assert "score" not in line and "max_score" not in line, "an informational test, no points"
    checks = [t for t in results["tests"] if t is not line]
    assert checks == gradescope_results(REPORT)["tests"]
    penalty = Decimal(repr(line["extra_data"]["late_penalty"]))
    assert Decimal(repr(results["score"])) == Decimal(repr(REPORT.score)) - penalty
    assert line["status"] == ("failed" if penalty else "passed")
    return line


def test_the_documented_example_is_on_time() -> None:
    late = late_work(json.dumps(DOCUMENTED_EXAMPLE), LatePolicy("10%/day"), 2, 7.25)
    assert (late.penalty, late.days) == (0, 0)
    assert "by the due date 2018-07-31T23:00:00-07:00: no late penalty" in late.note
    results = with_late_line(gradescope_results(REPORT), late)
    line = _late_line(results)
    assert line["extra_data"] == {"late_penalty": 0, "days_late": 0}
    assert results["score"] == REPORT.score


def test_a_late_submission_loses_what_grader_gradebook_takes() -> None:
    """Two days begun after the due date (31 July, 23:00 -07:00): 10% of 7.25 a day."""
    submitted = "2018-08-02T10:00:00-07:00"
    late = late_work(metadata(submitted), LatePolicy("10%/day"), REPORT.score, REPORT.max_score)
    assert (late.days, late.penalty) == (2, Decimal("1.45"))
    rule = gradebooks.LateRule.parse("2018-07-31T23:00:00-07:00", "10%/day")
    times = {"alice": datetime.fromisoformat(submitted)}
    book = gradebooks.gradebook_rows({"alice": REPORT}, None, rule=rule, submitted=times)
    assert (book.rows[0].days_late, book.rows[0].penalty) == (late.days, late.penalty)
    results = with_late_line(gradescope_results(REPORT), late)
    line = _late_line(results)
    assert line["extra_data"] == {"late_penalty": 1.45, "days_late": 2}
    assert "2 day(s) late" in line["output"] and "1.45 points off" in line["output"]
    assert results["score"] == 0.55 and "1.45 points off" in results["output"]
    assert results["output"].endswith("After the late penalty: 0.55 / 7.25 points.")


def test_the_cap_and_the_points_earned_bound_the_penalty() -> None:
    capped = late_work(metadata("2018-08-05T00:00:00-07:00"), LatePolicy("1/day", "1.5"), 2, 7)
    assert (capped.days, capped.penalty) == (5, Decimal("1.5"))
    assert "1/day, at most 1.5" in capped.note
    uncapped = late_work(metadata("2018-08-05T00:00:00-07:00"), LatePolicy("1/day"), 2, 7)
    assert uncapped.penalty == 2  # never more than the points earned


def test_after_the_late_due_date_the_note_says_so() -> None:
    text = metadata("2018-08-03T00:00:00-07:00", late_due_date="2018-08-01T23:00:00-07:00")
    late = late_work(text, LatePolicy("10%/day"), 2, 7.25)
    assert late.penalty > 0 and "after the late due date, 2018-08-01T23:00:00-07:00" in late.note


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (None, "submission_metadata.json was not found"),
        ("{not json", "submission_metadata.json could not be read"),
        ("[1, 2]", "it is not a JSON object"),
        (metadata("yesterday"), "created_at in submission_metadata.json is not a date"),
        (metadata(None), "created_at in submission_metadata.json is not a date"),
        (
            json.dumps({**DOCUMENTED_EXAMPLE, "assignment": {"due_date": 20180731}}),
            "assignment.due_date in submission_metadata.json is not a date and time (20180731)",
        ),
        (json.dumps({"created_at": "2018-07-01T14:22:32-07:00"}), "assignment.due_date"),
    ],
)
def test_missing_or_malformed_metadata_takes_nothing_off(text: str | None, reason: str) -> None:
    late = late_work(text, LatePolicy("10%/day"), 2, 7.25)
    assert (late.penalty, late.days) == (0, None)
    assert late.note.startswith("No late penalty was applied: ") and reason in late.note
    line = _late_line(with_late_line(gradescope_results(REPORT), late))
    assert line["extra_data"] == {"late_penalty": 0, "days_late": None}
    assert reason in line["output"]


def _autograder(tmp_path: Path, *export: str) -> Path:
    """An /autograder folder from `grader export gradescope` with ``export`` options."""
    archive = tmp_path / "autograder.zip"
    assert cli.main(["export", "gradescope", "--out", str(archive), *export]) == 0
    root = tmp_path / "autograder"
    platforms.unpack(archive, root / "source")
    (root / "submission").mkdir()
    return root


def _autograded(root: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    monkeypatch.setattr(platforms, "_graded", lambda *args: REPORT)
    assert platforms.autograde_gradescope(root) == 0
    return json.loads((root / "results" / "results.json").read_text(encoding="utf-8"))


def test_autograde_applies_the_zips_rule_to_gradescopes_metadata(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _autograder(tmp_path, "--late-penalty", "10%/day", "--late-cap", "15%")
    settings = json.loads((root / "source" / "late_work.json").read_text())
    assert settings == {"late_penalty": "10%/day", "late_cap": "15%"}
    (root / "submission_metadata.json").write_text(metadata("2018-08-03T12:00:00-07:00"))
    results = _autograded(root, monkeypatch)
    line = _late_line(results)
    assert line["extra_data"] == {"late_penalty": 1.0875, "days_late": 3}  # capped: 15% of 7.25
    assert results["score"] == 0.9125  # to the last digit


def test_autograde_without_metadata_notes_it_and_takes_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _autograder(tmp_path, "--late-penalty", "2.5/day")
    results = _autograded(root, monkeypatch)
    assert _late_line(results)["status"] == "passed" and results["score"] == REPORT.score
    assert "submission_metadata.json was not found" in results["output"]


def test_autograde_with_broken_settings_notes_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _autograder(tmp_path)
    (root / "source" / "late_work.json").write_text('{"late_penalty": "lots"}')
    (root / "submission_metadata.json").write_text(metadata("2018-08-03T12:00:00-07:00"))
    results = _autograded(root, monkeypatch)
    line = _late_line(results)
    assert line["extra_data"]["late_penalty"] == 0
    assert "late-work settings could not be read" in line["output"]
    assert "'lots' is not a rate" in line["output"]


def test_without_a_rule_there_is_no_late_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = _autograder(tmp_path)
    assert not (root / "source" / "late_work.json").exists()
    (root / "submission_metadata.json").write_text(metadata("2018-09-30T12:00:00-07:00"))
    results = _autograded(root, monkeypatch)
    assert results == gradescope_results(REPORT)


@pytest.mark.parametrize(
    ("options", "error"),
    [
        (["--late-penalty", "10%"], "'10%' is not a rate such as 10%/day"),
        (["--late-penalty", "10%/day", "--late-cap", "half"], "--late-cap: 'half' is not"),
        (["--late-cap", "50%"], "--late-cap needs --late-penalty"),
    ],
)
def test_export_refuses_a_rule_that_is_not_one(
    tmp_path: Path, options: list[str], error: str, capsys: pytest.CaptureFixture[str]
) -> None:
    archive = tmp_path / "autograder.zip"
    assert cli.main(["export", "gradescope", "--out", str(archive), *options]) == 2
    assert error in capsys.readouterr().err and not archive.exists()


def test_the_late_options_are_gradescopes_only(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    workflow = tmp_path / "grade.yml"
    command = ["export", "actions", "--out", str(workflow), "--late-penalty", "10%/day"]
    assert cli.main(command) == 2
    assert "are for gradescope" in capsys.readouterr().err and not workflow.exists()
