"""Small score reports for the formats' tests, built by the report's own builder from a
made-up pytest-json-report (no sandbox, no TensorFlow) and checked against the schema."""

from dataclasses import replace
from typing import Any

from grader.catalog import Exercise, exercise
from grader.results.model import ScoreReport, SubmissionRecord, build_score_report

HALVES = {
    "ex01_activations": {"sigmoid": 0.5, "relu": 1.5, "softmax": 2},
    "ex02_losses": {"mean_squared_error": 1, "crossentropy_clipping": 2.25},
}
"""Fractional points, as an instructor's points table may give them."""
MSE_MESSAGE = (
    "mean_squared_error(y_true, y_pred): wrong value at [0]: expected 0.25, received 0.5.\n"
    "Likely mistake — summed instead of averaged over the whole batch."
)


def fractional_exercises() -> list[Exercise]:
    return [replace(exercise(name), points=points) for name, points in HALVES.items()]


def _grader_row(name: str, check: str, status: str, message: str = "", diagnosis: str = ""):
    grade = {"exercise": name, "check": check, "status": status, "message": message}
    if diagnosis:
        grade["diagnosis"] = diagnosis
    return {"metadata": {"grader": grade}, "call": {"duration": 0.125}}


def mixed_report(*, hidden: bool = False, **extra: Any) -> ScoreReport:
    """ex01: sigmoid and relu pass, softmax not attempted; ex02: mean_squared_error failed
    with a diagnosis, crossentropy_clipping raised. Score 2 of 7.25. With ``hidden``, also a
    hidden check of ex02 worth 1.5 that failed (``secret_shapes``): 2 of 8.75."""
    secret = (
        [_grader_row("ex02_losses", "secret_shapes", "failed", "SECRET-INPUT gave the wrong shape")]
        if hidden
        else []
    )
    tests = [
        *secret,
        _grader_row("ex01_activations", "sigmoid", "passed"),
        _grader_row("ex01_activations", "relu", "passed"),
        _grader_row(
            "ex01_activations",
            "softmax",
            "not_attempted",
            "softmax(x): not attempted yet — it still raises NotImplementedError.",
        ),
        _grader_row(
            "ex02_losses",
            "mean_squared_error",
            "failed",
            MSE_MESSAGE,
            "summed instead of averaged",
        ),
        _grader_row(
            "ex02_losses",
            "crossentropy_clipping",
            "error",
            "binary_crossentropy(y_true, y_pred) raised ValueError: 50% | bad, value",
        ),
    ]
    report = build_score_report(
        {"tests": tests},
        fractional_exercises(),
        files={"ex01_activations/activations.py": b"", "ex02_losses/losses.py": b""},
        hidden={"ex02_losses": {"secret_shapes": 1.5}} if hidden else None,
    )
    report = replace(report, **extra)
    return ScoreReport.from_dict(report.to_dict())  # its JSON form follows the schema


def report_with_score(student: str, passed: set[str], status: str = "graded") -> ScoreReport:
    """A report in which exactly the checks named in ``passed`` pass (the others fail)."""
    tests = [
        _grader_row(name, check, "passed" if check in passed else "failed", "wrong")
        for name, points in HALVES.items()
        for check in points
    ]
    report = build_score_report({"tests": tests}, fractional_exercises(), files={})
    submission = SubmissionRecord(
        id=student,
        name=f"{student}.zip",
        source="zip",
        status=status,
        message="",
        ignored=(),
        graded_with={"grader": "test", "hidden_tests": None, "options": {}},
    )
    return ScoreReport.from_dict(replace(report, submission=submission).to_dict())


def class_member(
    student: str,
    passed: set[str],
    *,
    status: str = "graded",
    diagnoses: dict[str, str] | None = None,
    level: str = "namespaces",
) -> ScoreReport:
    """A batch's report for ``student``: the checks named in ``passed`` pass, the others fail
    with the diagnosis ``diagnoses`` gives them by check (or none); the submission's status is
    ``status``, its code walled in at ``level``."""
    diagnoses = diagnoses or {}
    tests = [
        _grader_row(
            name,
            check,
            "passed" if check in passed else "failed",
            f"{check}: wrong value",
            diagnoses.get(check, ""),
        )
        for name, points in HALVES.items()
        for check in points
    ]
    report = build_score_report({"tests": tests}, fractional_exercises(), files={})
    submission = SubmissionRecord(
        id=student,
        name=student,
        source="folder",
        status=status,
        message="" if status == "graded" else f"{status}: stopped after 10 s",
        ignored=(),
        graded_with={"grader": "test", "hidden_tests": None, "options": {}},
    )
    isolated = replace(report, submission=submission, isolation={"level": level, "note": ""})
    return ScoreReport.from_dict(isolated.to_dict())


CLASS = {
    "alice": ({"sigmoid", "relu", "softmax", "mean_squared_error", "crossentropy_clipping"}, {}),
    "bob": (
        {"sigmoid", "relu", "mean_squared_error"},
        {"diagnoses": {"crossentropy_clipping": "no clipping"}},
    ),
    "carol": ({"softmax"}, {"diagnoses": {"mean_squared_error": "summed instead of averaged"}}),
    "dave": (set(), {"status": "unreadable"}),
    "erin": ({"sigmoid", "relu", "softmax", "mean_squared_error"}, {}),
    "frank": (
        {"relu"},
        {"level": "process", "diagnoses": {"mean_squared_error": "summed instead of averaged"}},
    ),
    "grace": ({"sigmoid"}, {"status": "timeout"}),
    "heidi": ({"relu", "softmax", "crossentropy_clipping"}, {}),
    "jo ann": ({"sigmoid", "softmax"}, {"status": "error"}),
}
"""A class of nine: every submission status, two diagnoses, one weak isolation level, an id
with a space. Totals out of 7.25: alice 7.25, bob 3, carol 2, dave 0, erin 5, frank 1.5,
grace 0.5, heidi 5.75, jo ann 2.5."""


def class_reports() -> list[tuple[str, ScoreReport]]:
    """``CLASS`` as a batch's (id, report) pairs, in id order."""
    return [
        (student, class_member(student, passed, **extra))
        for student, (passed, extra) in sorted(CLASS.items())
    ]
