"""The score report: one result model, built from pytest-json-report's output by pure functions.

Every other format (the terminal table, a gradebook row, a platform's results file) is
derived from the dict ``build_score_report`` returns; ``schema/score-report.schema.json``
documents it.
"""

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema

from grader import PACKAGE_DIR, __version__
from grader.catalog import SEED, Exercise
from grader.words import say

CHECK_STATUSES = ("passed", "failed", "error", "timeout", "not_attempted")
"""What became of one check."""
SUBMISSION_STATUSES = ("graded", "timeout", "error", "unreadable")
"""What became of one submission in a batch."""
SCHEMA_VERSION = "1.0"
SCHEMA_PATH = PACKAGE_DIR / "schema" / "score-report.schema.json"


def check_result(
    exercise: Exercise,
    check: str,
    status: str,
    message: str,
    duration: float = 0.0,
    diagnosis: str = "",
    hidden: bool = False,
) -> dict[str, Any]:
    """One check's row: full points when passed, none otherwise; ``hidden`` for a check of an
    instructor's hidden suite."""
    max_score = exercise.points[check]
    return {
        "name": check,
        "exercise": exercise.name,
        "score": max_score if status == "passed" else 0,
        "max_score": max_score,
        "status": status,
        "message": message,
        "diagnosis": diagnosis,
        "duration": round(duration, 3),
        "hidden": hidden,
    }


def _results_from_json_report(json_report: Mapping[str, Any]) -> list[dict[str, Any]]:
    rows = []
    for test in json_report.get("tests", []):
        grade = (test.get("metadata") or {}).get("grader")
        if not grade:
            continue
        duration = sum(
            float((test.get(stage) or {}).get("duration", 0.0))
            for stage in ("setup", "call", "teardown")
        )
        rows.append({**grade, "duration": duration})
    return rows


def build_score_report(
    json_report: Mapping[str, Any],
    exercises: Iterable[Exercise],
    *,
    files: Mapping[str, bytes],
    missing: Mapping[str, str] | None = None,
    reference: str | None = None,
    isolation: Mapping[str, str] | None = None,
    hidden: Mapping[str, Mapping[str, int]] | None = None,
) -> dict[str, Any]:
    """The score report of one grading run.

    Args:
        json_report: pytest-json-report's report; each graded test carries ``metadata.grader``
            (exercise, check, status, message), set by the plugin.
        exercises: the exercises graded, in course order.
        files: the graded student files' contents by path relative to the submission root.
        missing: exercises that could not be graded at all, with the reason; each of their
            checks is recorded with status ``error`` and that reason.
        reference: the folder of reference solutions the checks also compared with on
            random inputs, or None when only recorded tf.keras values were used.
        isolation: how the student's code was walled in (``level``, ``note``), if known.
        hidden: the points of an instructor's hidden checks, by exercise, then check; they
            follow the exercise's visible checks and count in its score and max_score.
    """
    missing = missing or {}
    by_check = {(r["exercise"], r["check"]): r for r in _results_from_json_report(json_report)}
    tests, summary = [], []
    for listed in exercises:
        extra = (hidden or {}).get(listed.name, {})
        exercise = replace(listed, points={**listed.points, **extra})
        rows = []
        for check in exercise.points:
            found = by_check.get((exercise.name, check))
            if exercise.name in missing:
                rows.append(
                    check_result(
                        exercise, check, "error", missing[exercise.name], hidden=check in extra
                    )
                )
            elif found is None:
                rows.append(
                    check_result(
                        exercise,
                        check,
                        "error",
                        say("status.not_run"),
                        hidden=check in extra,
                    )
                )
            else:
                rows.append(
                    check_result(
                        exercise,
                        check,
                        found["status"],
                        found["message"],
                        found["duration"],
                        found.get("diagnosis", ""),
                        hidden=check in extra,
                    )
                )
        tests += rows
        summary.append(
            {
                "name": exercise.name,
                "title": exercise.title,
                "score": sum(r["score"] for r in rows),
                "max_score": exercise.max_score,
                "passed": sum(r["status"] == "passed" for r in rows),
                "checks": len(rows),
            }
        )
    report = {
        "schema_version": SCHEMA_VERSION,
        "grader_version": __version__,
        "score": sum(e["score"] for e in summary),
        "max_score": sum(e["max_score"] for e in summary),
        "exercises": summary,
        "tests": tests,
        "environment": environment(),
        "seed": SEED,
        "reference": reference,
        "fingerprint": fingerprint(files),
    }
    if isolation is not None:
        report["isolation"] = dict(isolation)
    return report


def fingerprint(files: Mapping[str, bytes]) -> dict[str, Any]:
    """sha256 of every graded file, and of them all together (names and contents, sorted)."""
    digests = {name: hashlib.sha256(content).hexdigest() for name, content in sorted(files.items())}
    total = hashlib.sha256("".join(f"{n}\0{d}\n" for n, d in digests.items()).encode()).hexdigest()
    return {"algorithm": "sha256", "sha256": total, "files": digests}


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "not installed"


@cache
def environment() -> dict[str, str]:
    """Versions that decide results, read without importing TensorFlow."""
    return {
        "python": platform.python_version(),
        "numpy": _version("numpy"),
        "tensorflow": _version("tensorflow"),
        "keras": _version("keras"),
        "platform": platform.platform(terse=True),
    }


@cache
def schema() -> dict[str, Any]:
    return json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))


def validate(report: Mapping[str, Any]) -> None:
    """Raise ``jsonschema.ValidationError`` unless the report follows the schema."""
    jsonschema.validate(report, schema())


def write_report(report: Mapping[str, Any], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
