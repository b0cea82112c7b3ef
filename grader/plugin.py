"""The scoring plugin (registered as ``pytest11`` entry point ``grader``).

- A student's file, ``<exercise>/<module>.py`` (e.g. ``ex01_activations/activations.py``), is
  collected as its exercise's checks, ``grader.checks.<exercise>``; the student's code itself
  is never imported here, it runs in a child process (``grader.submission``).
- pytest-json-report is switched on (in memory, unless asked for a file); each check's
  status and message go into its metadata, and the score report is built from that report
  by ``grader.report`` and written to ``--score-report``.
- The terminal summary ends with the score table.
"""

import importlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from grader.catalog import Exercise, exercise, exercise_for_file, exercises
from grader.feedback import Verdict, languages, say
from grader.report import build_score_report, write_report
from grader.student import Student
from grader.submission import Submission
from grader.summary import print_score_table

DEFAULT_REPORT = "score-report.json"
INSPECTOR_TIMEOUT = 120.0
_GRADED = pytest.StashKey[dict[str, Path]]()
"""Exercise name -> the student file collected for it."""
_SUBMISSIONS = pytest.StashKey[dict[Path, Submission]]()
_REPORT = pytest.StashKey[dict[str, Any]]()
_PRINTED_MARK = pytest.StashKey[tuple[Submission, int]]()
"""The check's submission and how much it had printed when the check began."""
PRINTED_SHOWN = 4000


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("grader", "scoring of the exercise kit")
    group.addoption(
        "--score-report",
        metavar="PATH",
        default=None,
        help=f"where to write the JSON score report (default: {DEFAULT_REPORT} "
        "in the root directory)",
    )
    group.addoption(
        "--call-timeout",
        metavar="SECONDS",
        type=float,
        default=None,
        help="seconds one call into the student's code may take (default: the exercise's "
        "timeout in grader/exercises.toml)",
    )
    group.addoption(
        "--lang",
        metavar="CODE",
        default=None,
        help="language of the feedback: en or ko (default: GRADER_LANG, else the locale, else en)",
    )
    group.addoption(
        "--reference",
        metavar="DIR",
        default=None,
        help="a folder of reference solutions laid out like exercises/: every check also runs "
        "random inputs against it (instructor-side)",
    )
    group.addoption(
        "--expect-exercises",
        metavar="NAMES",
        default=None,
        help="comma-separated exercises the report must cover; one whose file was "
        "not collected is recorded as an error (used by `grader grade`)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.option.json_report:
        config.option.json_report = True
        config.option.json_report_file = None  # in memory only: the score report is the output
    config.stash[_GRADED] = {}
    lang = config.option.lang
    if lang:
        if lang not in languages():
            raise pytest.UsageError(f"--lang: no messages in {lang!r}; choose from {languages()}")
        os.environ["GRADER_LANG"] = lang
    reference = config.option.reference
    if reference and not Path(reference).is_dir():
        raise pytest.UsageError(f"--reference: {reference} is not a folder")
    config.stash[_SUBMISSIONS] = {}
    expected = config.option.expect_exercises
    if expected:
        for name in expected.split(","):
            try:
                exercise(name)
            except KeyError as error:
                raise pytest.UsageError(f"--expect-exercises: {error.args[0]}") from None


def pytest_unconfigure(config: pytest.Config) -> None:
    for submission in config.stash.get(_SUBMISSIONS, {}).values():
        submission.close()


class ExerciseChecks(pytest.Module):
    """A student's file, collected as the check module of its exercise."""

    exercise: Exercise

    def _getobj(self) -> Any:
        return importlib.import_module(self.exercise.check_module)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    found = exercise_for_file(file_path)
    if found is None:
        return None
    parent.config.stash[_GRADED][found.name] = file_path
    collector = ExerciseChecks.from_parent(parent, path=file_path)
    collector.exercise = found
    return collector


def _exercise_of(item: pytest.Item) -> Exercise | None:
    module = item.getparent(ExerciseChecks)
    return module.exercise if isinstance(module, ExerciseChecks) else None


@pytest.fixture
def student(request: pytest.FixtureRequest) -> Student:
    """The student's code for the exercise this check belongs to, in its own process."""
    found = _exercise_of(request.node)
    if found is None:
        raise pytest.UsageError("the `student` fixture is for exercise checks only")
    submissions = request.config.stash[_SUBMISSIONS]
    path = Path(request.node.path)
    if path not in submissions:
        timeout = request.config.option.call_timeout or found.timeout
        submissions[path] = Submission(path, timeout=timeout)
    reference = request.config.option.reference
    request.node.stash[_PRINTED_MARK] = (submissions[path], len(submissions[path].printed))
    return Student(found, submissions[path], Path(reference) if reference else None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """A failing check shows what the student's code printed during it, once."""
    try:
        return (yield)
    except Verdict as verdict:
        submission, mark = item.stash.get(_PRINTED_MARK, (None, 0))
        printed = "".join(submission.printed[mark:]).rstrip() if submission else ""
        if printed and printed not in verdict.message:
            verdict.add(say("status.printed", text=printed[-PRINTED_SHOWN:]))
        raise


@pytest.fixture(scope="session")
def inspector() -> Iterator[Submission]:
    """A process that runs grader code only: it opens the files students' code wrote (with
    Keras's safe mode), so that no student code shares a process with them."""
    submission = Submission(None, timeout=INSPECTOR_TIMEOUT)
    yield submission
    submission.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a check without points, so no check ever counts for nothing by accident."""
    for item in items:
        found = _exercise_of(item)
        if found is not None and _check_name(item) not in found.points:
            raise pytest.UsageError(
                f"{found.check_module}.{item.name} has no points in grader/exercises.toml "
                f"[{found.name}.points]"
            )


def _check_name(item: pytest.Item) -> str:
    return item.name.removeprefix("test_")


def pytest_json_runtest_metadata(item: pytest.Item, call: pytest.CallInfo[None]) -> dict | None:
    found = _exercise_of(item)
    if found is None or call.when == "teardown" or (call.when == "setup" and call.excinfo is None):
        return None
    diagnosis = ""
    if call.excinfo is None:
        status, message = "passed", ""
    elif isinstance(call.excinfo.value, Verdict):
        verdict = call.excinfo.value
        status, message, diagnosis = verdict.status, verdict.message, verdict.diagnosis
    else:
        status = "error"
        message = say("status.grader_error", error=f"{call.excinfo.typename}: {call.excinfo.value}")
    return {
        "grader": {
            "exercise": found.name,
            "check": _check_name(item),
            "status": status,
            "message": message,
            "diagnosis": diagnosis,
        }
    }


def _report_path(config: pytest.Config) -> Path:
    chosen = config.option.score_report
    return Path(chosen) if chosen else config.rootpath / DEFAULT_REPORT


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Build the score report from pytest-json-report's (made by its own, earlier hook)."""
    config = session.config
    graded = config.stash.get(_GRADED, {})
    json_report = getattr(getattr(config, "_json_report", None), "report", None)
    expected = [n for n in (config.option.expect_exercises or "").split(",") if n]
    if (not graded and not expected) or json_report is None:
        return
    names = set(graded) | set(expected)
    chosen = [e for e in exercises() if e.name in names]
    missing = {
        e.name: say("status.missing_file", file=e.relative_path)
        for e in chosen
        if e.name not in graded
    }
    files = {f"{name}/{path.name}": path.read_bytes() for name, path in graded.items()}
    reference = config.option.reference
    report = build_score_report(
        json_report,
        chosen,
        files=files,
        missing=missing,
        reference=str(Path(reference).resolve()) if reference else None,
    )
    write_report(report, _report_path(config))
    config.stash[_REPORT] = report


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is not None:
        print_score_table(report, _report_path(config), width=terminalreporter._tw.fullwidth)
