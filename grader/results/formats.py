"""Other platforms' formats, each a pure function of the score report (``grader.results.model``).

- Gradescope's ``results.json`` (autograder specification: score, execution_time, output,
  output_format, tests with name, score, max_score, status, output, visibility);
- GitHub Classroom's grading-reporter payload (version, status, max_score, tests with name,
  status, score, message);
- PrairieLearn's external-grader ``results.json`` (gradable, score from 0 to 1, message, output,
  tests with name, points, max_points, message, output);
- JUnit XML, read by CI systems;
- a gradebook row, for the CSV that instructors import.

Where the report says a notebook was graded (its ``sources``), Gradescope's and PrairieLearn's
top-level ``output`` says, cell by cell, what was graded and what was left out and why
(``source_notes``): a student who handed in a notebook sees there that a cell was dropped.

Points are written with every digit they have (``points_text``): a check worth 0.5 stays 0.5.
"""

import csv
import io
import xml.etree.ElementTree as ET
from collections.abc import Iterable, Mapping
from typing import Any

from grader.results.model import CheckResult, ScoreReport
from grader.results.source_notes import source_text
from grader.words import language, say


def points_text(value: float) -> str:
    """Points as text, with every digit they have up to four decimals: ``7.5``, ``0.25``,
    ``100``. (``:g`` would round 1234.75 to 1234.8.)"""
    text = f"{value:.4f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def status_words(test: CheckResult) -> str:
    """What became of a check, in the feedback language, with its diagnosis when one was made."""
    words = (
        say("platform.passed") if test.status == "passed" else say(f"table.status_{test.status}")
    )
    return f"{words}: {test.diagnosis}" if test.diagnosis else words


def _test_name(test: CheckResult) -> str:
    return f"{test.exercise}/{test.name}"


def _total_seconds(report: ScoreReport) -> float:
    return sum(test.duration for test in report.tests)


def gradescope_results(report: ScoreReport, *, hidden: Iterable[str] = ()) -> dict[str, Any]:
    """Gradescope's results.json, as its autograder specification documents it
    (https://gradescope-autograders.readthedocs.io/en/latest/specs/): the top-level ``score``,
    which overrides the tests' total, is the report's score; one test per check. Hidden checks
    (``hidden: true`` in the report) and the checks named in ``hidden``
    (``"<exercise>/<check>"``) show after the due date.

    The top-level ``output`` (the total, then where each exercise's code came from, a
    notebook's cells included) is plain text (``output_format``) and is shown to the student
    whenever the results are: the results' own ``visibility`` is left at its default,
    ``visible``."""
    hidden = set(hidden)
    total = say(
        "platform.total", score=points_text(report.score), max_score=points_text(report.max_score)
    )
    return {
        "score": report.score,
        "execution_time": round(_total_seconds(report)),
        "output": "\n\n".join(filter(None, [total, source_text(report, language())])),
        "output_format": "text",
        "tests": [
            {
                "name": _test_name(test),
                "score": test.score,
                "max_score": test.max_score,
                "status": "passed" if test.status == "passed" else "failed",
                "output": test.message,
                "visibility": "after_due_date"
                if test.hidden or _test_name(test) in hidden
                else "visible",
            }
            for test in report.tests
        ],
    }


def classroom_payload(report: ScoreReport) -> dict[str, Any]:
    """The payload GitHub Classroom's autograding grading reporter reads."""
    tests = [
        {
            "name": _test_name(test),
            "status": "pass"
            if test.status == "passed"
            else "error"
            if test.status in ("error", "timeout")
            else "fail",
            "score": test.score,
            "message": test.message,
            "execution_time": f"{test.duration:.2f}s",
        }
        for test in report.tests
    ]
    return {
        "version": 1,
        "status": "pass" if report.score == report.max_score else "fail",
        "max_score": report.max_score,
        "tests": tests,
    }


def prairielearn_results(report: ScoreReport) -> dict[str, Any]:
    """PrairieLearn's external-grader results (``/grade/results/results.json``): the score as
    a fraction of the maximum, one test per check with its points, what became of it
    (``message``) and the check's feedback (``output``). Where a notebook was graded, the
    top-level ``output`` says where each exercise's code came from, cell by cell."""
    maximum = report.max_score
    sources = source_text(report, language())
    return {
        "gradable": True,
        "score": report.score / maximum if maximum else 0.0,
        "message": say(
            "platform.total",
            score=points_text(report.score),
            max_score=points_text(maximum),
        ),
        **({"output": sources} if sources else {}),
        "tests": [
            {
                "name": _test_name(test),
                "points": test.score,
                "max_points": test.max_score,
                "message": status_words(test),
                "output": test.message,
            }
            for test in report.tests
        ],
    }


def prairielearn_not_gradable(reason: str) -> dict[str, Any]:
    """The results PrairieLearn gets when the kit could not grade: not gradable, so the student
    loses neither points nor an attempt, and the reason (``format_errors`` is what PrairieLearn
    shows for a submission it could not grade)."""
    message = say("platform.not_gradable", reason=reason)
    return {"gradable": False, "message": message, "format_errors": [message], "tests": []}


def junit_xml(report: ScoreReport) -> str:
    """One test suite per exercise, one test case per check; each suite's ``properties`` hold
    its points (``score``, ``max_score``, as ``points_text`` writes them), so the suites'
    scores add up to the report's."""
    root = ET.Element("testsuites", name="grader", tests=str(len(report.tests)))
    for exercise in report.exercises:
        tests = exercise.checks
        failures = sum(t.status in ("failed", "not_attempted") for t in tests)
        errors = sum(t.status in ("error", "timeout") for t in tests)
        suite = ET.SubElement(
            root,
            "testsuite",
            name=exercise.name,
            tests=str(len(tests)),
            failures=str(failures),
            errors=str(errors),
            skipped=str(sum(t.status == "not_run" for t in tests)),
        )
        properties = ET.SubElement(suite, "properties")
        for name, value in (("score", exercise.score), ("max_score", exercise.max_score)):
            ET.SubElement(properties, "property", name=name, value=points_text(value))
        for test in tests:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=exercise.name,
                name=test.name,
                time=f"{test.duration:.3f}",
            )
            if test.status in ("failed", "not_attempted"):
                ET.SubElement(case, "failure", message=test.status).text = test.message
            elif test.status == "not_run":
                ET.SubElement(case, "skipped", message=test.status).text = test.message
            elif test.status in ("error", "timeout"):
                ET.SubElement(case, "error", message=test.status).text = test.message
    return ET.tostring(root, encoding="unicode", xml_declaration=True)


def grading_status(report: ScoreReport) -> str:
    """How grading went, as the report itself says: its ``submission`` status when a batch
    wrote one, else ``timeout`` when the run's deadline stopped some checks, else ``graded``."""
    if report.submission is not None:
        return report.submission.status
    return "timeout" if report.incomplete else "graded"


def gradebook_row(report: ScoreReport, student: str) -> dict[str, Any]:
    """One student's gradebook row: id, total, each exercise's score (points as
    ``points_text`` writes them), how grading went (``grading_status``), and how the student's
    code was isolated when the report says: its level, and the walls that stood (``walls``:
    namespaces+landlock+seccomp+uid+cgroup at most) or, where the report lists none, nothing."""
    row: dict[str, Any] = {
        "id": student,
        "total": points_text(report.score),
        "max": points_text(report.max_score),
    }
    row |= {exercise.name: points_text(exercise.score) for exercise in report.exercises}
    row["status"] = grading_status(report)
    if report.isolation is not None:
        row["isolation"] = report.isolation["level"]
        layers = report.isolation.get("layers") or []
        row["walls"] = "+".join(layer["name"] for layer in layers if layer.get("active"))
    return row


def gradebook_csv(rows: Iterable[Mapping[str, Any]]) -> str:
    rows = list(rows)
    columns: list[str] = []
    for row in rows:
        columns += [key for key in row if key not in columns]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


FORMATS = ("gradescope", "classroom", "prairielearn", "junit", "csv")
