"""The score report: one typed result model, built from pytest-json-report's output by pure
functions.

``CheckResult``, ``ExerciseResult`` and ``ScoreReport`` are frozen: a report is built once, with
everything it says (a batch's ``submission`` record, the files it ignored, why a run stopped
early), and never changed afterwards. Every other format (the terminal table, a gradebook row, a
platform's results file, the class page) is a pure function of a ``ScoreReport``. Its JSON form
(``to_dict``, ``from_dict``) is documented and validated by ``schema/score-report.schema.json``.
"""

import hashlib
import json
import platform
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema

from grader import PACKAGE_DIR, __version__
from grader.catalog import SEED, Exercise
from grader.words import say

CHECK_STATUSES = ("passed", "failed", "error", "timeout", "not_attempted", "not_run")
"""What became of one check. ``not_run``: left out of a student's partial run (``pytest -k``,
or a path to some checks); it earns nothing and still counts in ``max_score``, so a partial run
never looks complete. In an instructor's run (``--expect-exercises``) such a check is an
``error`` instead: that run must cover every check."""
SUBMISSION_STATUSES = ("graded", "timeout", "error", "unreadable")
"""What became of one submission in a batch."""
SCHEMA_VERSION = "1.0"
SCHEMA_PATH = PACKAGE_DIR / "schema" / "score-report.schema.json"


Json = dict[str, Any]


@dataclass(frozen=True)
class CheckResult:
    """One check of one exercise: full points when passed, none otherwise."""

    name: str
    exercise: str
    max_score: float
    status: str
    message: str
    diagnosis: str = ""
    """The likely mistake the check found evidence for, or empty."""
    duration: float = 0.0
    hidden: bool = False
    """From an instructor's hidden suite."""

    def __post_init__(self) -> None:
        if self.status not in CHECK_STATUSES:
            raise ValueError(f"{self.exercise}/{self.name}: unknown status {self.status!r}")

    @property
    def score(self) -> float:
        return self.max_score if self.status == "passed" else 0

    def to_dict(self) -> Json:
        return {
            "name": self.name,
            "exercise": self.exercise,
            "score": self.score,
            "max_score": self.max_score,
            "status": self.status,
            "message": self.message,
            "diagnosis": self.diagnosis,
            "duration": round(self.duration, 3),
            "hidden": self.hidden,
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "CheckResult":
        return cls(
            name=data["name"],
            exercise=data["exercise"],
            max_score=data["max_score"],
            status=data["status"],
            message=data["message"],
            diagnosis=data.get("diagnosis", ""),
            duration=float(data.get("duration", 0.0)),
            hidden=bool(data.get("hidden", False)),
        )


@dataclass(frozen=True)
class ExerciseResult:
    """One exercise: its checks' points added up."""

    name: str
    title: str
    max_score: float
    checks: tuple[CheckResult, ...]

    @property
    def score(self) -> float:
        return sum(check.score for check in self.checks)

    @property
    def passed(self) -> int:
        return sum(check.status == "passed" for check in self.checks)

    def to_dict(self) -> Json:
        return {
            "name": self.name,
            "title": self.title,
            "score": self.score,
            "max_score": self.max_score,
            "passed": self.passed,
            "checks": len(self.checks),
        }


@dataclass(frozen=True)
class SubmissionRecord:
    """What ``grader batch`` found and did with one student's folder or zip."""

    id: str
    name: str
    """The folder's or zip's name as found."""
    source: str
    """``folder`` or ``zip``."""
    status: str
    """One of ``SUBMISSION_STATUSES``."""
    message: str
    ignored: tuple[Json, ...]
    graded_with: Json
    """The grader's identity and the options: a rerun keeps the report only when they match."""
    sources: tuple[Json, ...] | None = None
    """As the report's own ``sources``."""

    def __post_init__(self) -> None:
        if self.status not in SUBMISSION_STATUSES:
            raise ValueError(f"{self.id}: unknown submission status {self.status!r}")

    def to_dict(self) -> Json:
        return {
            "id": self.id,
            "name": self.name,
            "source": self.source,
            "status": self.status,
            "message": self.message,
            "ignored": [dict(item) for item in self.ignored],
            **({"sources": list(self.sources)} if self.sources is not None else {}),
            "graded_with": dict(self.graded_with),
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "SubmissionRecord":
        return cls(
            id=data["id"],
            name=data["name"],
            source=data["source"],
            status=data["status"],
            message=data["message"],
            ignored=tuple(data.get("ignored", ())),
            graded_with=dict(data.get("graded_with", {})),
            sources=tuple(data["sources"]) if "sources" in data else None,
        )


@dataclass(frozen=True)
class ScoreReport:
    """The score report of one grading run (one student's submission)."""

    exercises: tuple[ExerciseResult, ...]
    environment: Json
    seed: int
    reference: str | None
    """The folder of reference solutions the checks also compared with on random inputs, or
    None when only recorded tf.keras values were used."""
    fingerprint: Json
    isolation: Json | None = None
    """How the student's code was walled in (``level``, ``note``, ``layers``), if known."""
    incomplete: str | None = None
    """Why the run stopped before every check ran (its deadline), if it did."""
    ignored: tuple[Json, ...] | None = None
    """The submission's files that were left out, with the reason (``grader grade``, batch)."""
    sources: tuple[Json, ...] | None = None
    """Where each exercise's graded module came from: a ``.py``, or a notebook's cells."""
    submission: SubmissionRecord | None = None
    schema_version: str = SCHEMA_VERSION
    grader_version: str = __version__

    @property
    def tests(self) -> tuple[CheckResult, ...]:
        """Every check, exercise by exercise, in points-table order."""
        return tuple(check for exercise in self.exercises for check in exercise.checks)

    @property
    def score(self) -> float:
        return sum(exercise.score for exercise in self.exercises)

    @property
    def max_score(self) -> float:
        return sum(exercise.max_score for exercise in self.exercises)

    def checks_of(self, exercise: str) -> tuple[CheckResult, ...]:
        return tuple(check for check in self.tests if check.exercise == exercise)

    def to_dict(self) -> Json:
        """The report's JSON form (``schema/score-report.schema.json``)."""
        data: Json = {
            "schema_version": self.schema_version,
            "grader_version": self.grader_version,
            "score": self.score,
            "max_score": self.max_score,
            "exercises": [exercise.to_dict() for exercise in self.exercises],
            "tests": [check.to_dict() for check in self.tests],
            "environment": dict(self.environment),
            "seed": self.seed,
            "reference": self.reference,
            "fingerprint": self.fingerprint,
        }
        if self.isolation is not None:
            data["isolation"] = dict(self.isolation)
        if self.incomplete is not None:
            data["incomplete"] = self.incomplete
        if self.ignored is not None:
            data["ignored"] = [dict(item) for item in self.ignored]
        if self.sources is not None:
            data["sources"] = [dict(item) for item in self.sources]
        if self.submission is not None:
            data["submission"] = self.submission.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> "ScoreReport":
        """A report read back from its JSON form; raises ``jsonschema.ValidationError`` unless
        it follows the schema, and ``ValueError`` unless its totals add up."""
        validate(data)
        checks = [CheckResult.from_dict(test) for test in data["tests"]]
        exercises = tuple(
            ExerciseResult(
                name=exercise["name"],
                title=exercise["title"],
                max_score=exercise["max_score"],
                checks=tuple(c for c in checks if c.exercise == exercise["name"]),
            )
            for exercise in data["exercises"]
        )
        submission = data.get("submission")
        ignored, sources = data.get("ignored"), data.get("sources")
        report = cls(
            exercises=exercises,
            environment=dict(data["environment"]),
            seed=data["seed"],
            reference=data["reference"],
            fingerprint=data["fingerprint"],
            isolation=data.get("isolation"),
            incomplete=data.get("incomplete"),
            ignored=tuple(ignored) if ignored is not None else None,
            sources=tuple(sources) if sources is not None else None,
            submission=SubmissionRecord.from_dict(submission) if submission else None,
            schema_version=data["schema_version"],
            grader_version=data["grader_version"],
        )
        if len(report.tests) != len(checks) or report.score != data["score"]:
            raise ValueError("the report's checks do not add up to its exercises and score")
        return report


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
    missing_status: str = "error",
    reference: str | None = None,
    isolation: Mapping[str, Any] | None = None,
    hidden: Mapping[str, Mapping[str, int]] | None = None,
    unrun_status: str = "error",
    incomplete: str | None = None,
    ignored: Iterable[Json] | None = None,
    sources: Iterable[Json] | None = None,
) -> ScoreReport:
    """The score report of one grading run.

    Args:
        json_report: pytest-json-report's report; each graded test carries ``metadata.grader``
            (exercise, check, status, message, diagnosis), set by the plugin.
        exercises: the exercises graded, in course order.
        files: the graded student files' contents by path relative to the submission root.
        missing: exercises that could not be graded at all, with the reason; each of their
            checks is recorded with status ``missing_status`` and that reason.
        reference: the folder of reference solutions the checks also compared with on
            random inputs, or None when only recorded tf.keras values were used.
        isolation: how the student's code was walled in (``level``, ``note``), if known.
        hidden: the points of an instructor's hidden checks, by exercise, then check; they
            follow the exercise's visible checks and count in its score and max_score.
        unrun_status: what a check of a graded exercise that did not run is: ``error`` when
            the run had to cover it (an instructor's), ``not_run`` when the student left it
            out (``pytest -k``). Either way it earns nothing and counts in ``max_score``.
        incomplete: why the run stopped before every check ran, if it did.
        ignored: the submission's files left out, with the reason.
        sources: where each exercise's module came from (a ``.py``, a notebook's cells).
    """
    missing = missing or {}
    by_check = {(r["exercise"], r["check"]): r for r in _results_from_json_report(json_report)}
    not_run = say("status.not_run" if unrun_status == "not_run" else "status.not_collected")
    results = []
    for listed in exercises:
        extra = (hidden or {}).get(listed.name, {})
        exercise = replace(listed, points={**listed.points, **extra})
        checks = []
        for check in exercise.points:
            found = by_check.get((exercise.name, check))
            if exercise.name in missing:
                status, message, duration, diagnosis = missing_status, missing[exercise.name], 0, ""
            elif found is None:
                status, message, duration, diagnosis = unrun_status, not_run, 0, ""
            else:
                status, message = found["status"], found["message"]
                duration, diagnosis = found["duration"], found.get("diagnosis", "")
            checks.append(
                CheckResult(
                    name=check,
                    exercise=exercise.name,
                    max_score=exercise.points[check],
                    status=status,
                    message=message,
                    diagnosis=diagnosis,
                    duration=duration,
                    hidden=check in extra,
                )
            )
        results.append(
            ExerciseResult(
                name=exercise.name,
                title=exercise.title,
                max_score=exercise.max_score,
                checks=tuple(checks),
            )
        )
    return ScoreReport(
        exercises=tuple(results),
        environment=environment(),
        seed=SEED,
        reference=reference,
        fingerprint=fingerprint(files),
        isolation=dict(isolation) if isolation is not None else None,
        incomplete=incomplete,
        ignored=tuple(ignored) if ignored is not None else None,
        sources=tuple(sources) if sources is not None else None,
    )


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


def write_report(report: ScoreReport, path: Path) -> None:
    """Write the report's JSON form to ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(report.to_dict(), indent=2, ensure_ascii=False)
    path.write_text(text + "\n", encoding="utf-8")


class ReportError(ValueError):
    """A score report file that cannot be read, or does not follow the schema."""


def load_report(path: Path) -> ScoreReport:
    """The score report at ``path``; ``ReportError`` saying why when there is none."""
    try:
        return ScoreReport.from_dict(json.loads(path.read_text(encoding="utf-8")))
    except jsonschema.ValidationError as error:
        raise ReportError(f"{path} is not a score report: {error.message}") from None
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ReportError(f"cannot read {path}: {error}") from None


def read_report(path: Path) -> ScoreReport | None:
    """The score report at ``path`` if there is one and it follows the schema, else None."""
    try:
        return load_report(path)
    except ReportError:
        return None
