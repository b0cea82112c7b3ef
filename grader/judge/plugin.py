"""The scoring plugin (registered as ``pytest11`` entry point ``grader``).

- A student's file, ``<exercise>/<module>.py`` (e.g. ``ex01_activations/activations.py``), is
  collected as its exercise's checks, ``grader.checks.<exercise>``; the student's code itself
  is never imported here, it runs in a child process (``grader.judge.process``).
- pytest-json-report is switched on (in memory, unless asked for a file); each check's
  status and message go into its metadata, and the score report is built from that report
  by ``grader.results.model`` and written to ``--score-report``.
- The terminal summary ends with the score table; with ``--failed-only`` (the compact view)
  it is all the run shows, after the failing checks' messages (``grader.results.table``).
- While a check trains a Keras model, pytest's line says how far it is
  (``grader.judge.training_progress``).
- ``--hidden-tests PATH`` adds an instructor's hidden checks (``grader.judge.hidden``): each
  student file is collected a second time, as that suite's module of its exercise.
"""

import importlib
import os
import time
from collections.abc import Iterable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader.catalog import Exercise, exercise_for_file, exercises
from grader.isolation import fork_server, launch
from grader.isolation.layers import active_names, hides_kit, weakest_layers
from grader.isolation.sandbox import requested
from grader.judge.hidden import POINTS_FILE, HiddenSuite
from grader.judge.options import GradingOptions, OptionsError, handed_to
from grader.judge.process import Submission
from grader.judge.student import Student
from grader.judge.training_progress import TrainingProgress
from grader.judge.verdict import Verdict
from grader.protocol import LEVELS
from grader.results.model import ScoreReport, build_score_report, write_report
from grader.results.table import print_score_table
from grader.words import say

DEFAULT_REPORT = "score-report.json"
INSPECTOR_TIMEOUT = 120.0
_GRADED = pytest.StashKey[dict[str, Path]]()
"""Exercise name -> the student file collected for it."""
_SUBMISSIONS = pytest.StashKey[dict[Path, Submission]]()
_REPORT = pytest.StashKey[ScoreReport]()
_OPTIONS = pytest.StashKey[GradingOptions]()
_JSON_REPORT = pytest.StashKey[dict[str, Any]]()
"""pytest-json-report's report, as its ``pytest_json_modifyreport`` hook hands it over."""
_HIDDEN = pytest.StashKey[HiddenSuite]()
_STARTED = pytest.StashKey[float]()
"""When the run began (``time.monotonic``), for ``--deadline``."""
_DEADLINE_REACHED = pytest.StashKey[bool]()
_FORK_SERVER = pytest.StashKey[fork_server.Server]()
"""The run's own fork server, when it started one."""
_PROGRESS = pytest.StashKey[TrainingProgress]()
"""The line that says how far a check's training is, where pytest has a terminal."""
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
    group.addoption(
        "--deadline",
        metavar="SECONDS",
        type=float,
        default=None,
        help="seconds the whole run may take: checks not started by then are recorded as "
        "timeout and the report is still written (used by `grader batch --timeout`)",
    )
    group.addoption(
        "--no-fork-server",
        action="store_true",
        default=False,
        help="start every process of the checks afresh, importing TensorFlow each time, "
        "instead of forking them from one process that imports it once (Linux only)",
    )
    group.addoption(
        "--failed-only",
        action="store_true",
        default=False,
        help="a compact view: only the failing checks' messages and the score table; passing "
        "checks are silent and each exercise's checks not attempted yet take one line",
    )
    group.addoption(
        "--hidden-tests",
        metavar="PATH",
        default=None,
        help="a folder of hidden checks: modules named after exercises (ex01_activations.py) "
        f"and their points ({POINTS_FILE}); they count in the score and are marked hidden in "
        "the report (instructor-side)",
    )


@pytest.hookimpl(tryfirst=True)
def pytest_configure(config: pytest.Config) -> None:
    if not config.option.json_report:
        config.option.json_report = True
        config.option.json_report_file = None  # in memory only: the score report is the output
    handed = handed_to(config.pluginmanager.get_plugins())
    try:
        options = (handed or GradingOptions.from_pytest(config.option)).checked()
        suite = options.hidden_suite()
    except OptionsError as error:
        raise pytest.UsageError(str(error)) from None
    config.stash[_OPTIONS] = options
    if options.failed_only:  # the terminal summary says it all: pytest's own report is quiet
        config.option.verbose = -1
        config.option.tbstyle = "no"
        config.option.reportchars = "N"
    config.stash[_GRADED] = {}
    config.stash[_STARTED] = time.monotonic()
    config.stash[_SUBMISSIONS] = {}
    config.pluginmanager.register(JsonReportReader(config), "grader-json-report")
    if options.lang:
        os.environ["GRADER_LANG"] = options.lang
    if suite is not None:
        config.stash[_HIDDEN] = suite
        config.pluginmanager.register(HiddenCollection(suite), "grader-hidden-checks")


def pytest_sessionstart(session: pytest.Session) -> None:
    """Where pytest has a terminal reporter (made after this plugin's ``pytest_configure``),
    the line for training progress, unless the run is quiet (``-qq``: the score table only)."""
    config = session.config
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None and config.option.verbose > -2:
        capture = config.pluginmanager.get_plugin("capturemanager")
        config.stash[_PROGRESS] = TrainingProgress(reporter, capture)


def options_of(config: pytest.Config) -> GradingOptions:
    """The run's options (``grader.judge.options``), as the plugin took them at the start."""
    return config.stash[_OPTIONS]


class JsonReportReader:
    """Keeps pytest-json-report's report when it is made (its documented hook), for the score
    report built at the end of the session."""

    def __init__(self, config: pytest.Config):
        self.config = config

    def pytest_json_modifyreport(self, json_report: dict[str, Any]) -> None:
        self.config.stash[_JSON_REPORT] = json_report


def pytest_unconfigure(config: pytest.Config) -> None:
    for submission in config.stash.get(_SUBMISSIONS, {}).values():
        submission.close()
    server = config.stash.get(_FORK_SERVER, None)
    if server is not None:
        launch.use_server(None)
        server.stop()


def _start_fork_server(config: pytest.Config, items: list[pytest.Item]) -> None:
    """When the checks to run include a Keras exercise's, start a fork server (it imports
    TensorFlow while the first checks run) and fork this run's processes from it: walled in
    for a judge, unwalled for a student's own run. Not where a batch's server serves the
    judge already, nor where the platform cannot fork, nor with ``--no-fork-server``."""
    keras = any(getattr(_exercise_of(item), "keras", False) for item in items)
    if not keras or not options_of(config).fork_server or not fork_server.available():
        return
    if os.environ.get(fork_server.ADDRESS_VARIABLE):
        return
    server = fork_server.Server(unwalled=requested() is None)
    config.stash[_FORK_SERVER] = server
    launch.use_server(server)


class ExerciseChecks(pytest.Module):
    """A student's file, collected as the check module of its exercise."""

    exercise: Exercise

    def _getobj(self) -> Any:
        return importlib.import_module(self.exercise.check_module)

    def no_points(self, check: str) -> str:
        """The error for a collected check of this module that has no points."""
        return (
            f"{self.exercise.check_module}.{check} has no points in grader/exercises.toml "
            f"[{self.exercise.name}.points]"
        )


class HiddenChecks(ExerciseChecks):
    """A student's file, collected as the hidden suite's module of its exercise; its
    ``exercise`` carries the suite's points."""

    suite: HiddenSuite

    def _getobj(self) -> Any:
        return self.suite.modules[self.exercise.name]

    def no_points(self, check: str) -> str:
        name = self.exercise.name
        return (
            f"--hidden-tests: {self.suite.folder / name}.py: {check} has no points in "
            f"{self.suite.folder / POINTS_FILE} [{name}]; a check is one test_<check> "
            "function (parametrised checks are refused)"
        )


class HiddenCollection:
    """Collects each student file's hidden checks, after its visible ones (registered by
    ``--hidden-tests``)."""

    def __init__(self, suite: HiddenSuite):
        self.suite = suite

    @pytest.hookimpl(trylast=True)
    def pytest_collect_file(
        self, file_path: Path, parent: pytest.Collector
    ) -> pytest.Collector | None:
        found = exercise_for_file(file_path)
        if found is None or found.name not in self.suite.modules:
            return None
        nodeid = f"{parent.nodeid}/{file_path.name}::hidden".lstrip("/")
        collector = HiddenChecks.from_parent(parent, path=file_path, nodeid=nodeid)
        collector.exercise = replace(found, points=self.suite.points.get(found.name, {}))
        collector.suite = self.suite
        return collector


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
def student(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Student:
    """The student's code for the exercise this check belongs to, in its own process; it may
    write in this run's temporary folders (``tmp_path``), where checks ask it to save files."""
    found = _exercise_of(request.node)
    if found is None:
        raise pytest.UsageError("the `student` fixture is for exercise checks only")
    submissions = request.config.stash[_SUBMISSIONS]
    path = Path(request.node.path)
    if path not in submissions:
        timeout = options_of(request.config).call_timeout or found.timeout
        writable = (str(tmp_path_factory.getbasetemp()),)
        submissions[path] = Submission(
            path, timeout=timeout, writable=writable, deadline=_deadline(request.config)
        )
        if _PROGRESS in request.config.stash:
            submissions[path].on_epoch = request.config.stash[_PROGRESS].student_epoch
    request.node.stash[_PRINTED_MARK] = (submissions[path], len(submissions[path].printed))
    return Student(found, submissions[path], options_of(request.config).reference)


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item: pytest.Item) -> None:
    """Past ``--deadline``, a check does not start: it is recorded as a timeout."""
    deadline = _deadline(item.config)
    if deadline is not None and time.monotonic() > deadline:
        item.config.stash[_DEADLINE_REACHED] = True
        seconds = options_of(item.config).deadline
        raise Verdict(say("status.deadline", seconds=seconds), "timeout")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Any:
    """A failing check shows what the student's code printed during it, once. While it runs,
    the epochs of any training it starts are shown (``TrainingProgress``)."""
    progress = item.config.stash.get(_PROGRESS, None)
    found = _exercise_of(item)
    if progress is not None and found is not None:
        progress.start(f"{found.name.partition('_')[0]} {_check_name(item)}")
    try:
        return (yield)
    except Verdict as verdict:
        submission, mark = item.stash.get(_PRINTED_MARK, (None, 0))
        printed = "".join(submission.printed[mark:]).rstrip() if submission else ""
        if printed and printed not in verdict.message:
            verdict.add(say("status.printed", text=printed[-PRINTED_SHOWN:]))
        raise
    finally:
        if progress is not None:
            progress.finish()


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[None]) -> Any:
    """pytest's short summary names a failing check by its first message line, not by the
    exception's class: ``FAILED .../losses.py::test_mse - mean_squared_error(...) is wrong``."""
    report = yield
    crash = getattr(report.longrepr, "reprcrash", None)
    if call.excinfo is not None and isinstance(call.excinfo.value, Verdict) and crash is not None:
        crash.message = call.excinfo.value.message.partition("\n")[0]
    return report


def pytest_report_teststatus(
    report: pytest.TestReport, config: pytest.Config
) -> tuple[str, str, str] | None:
    """In the compact view no check is marked while the run goes on: its outcome is counted
    as pytest counts it, and shown in the terminal summary."""
    options = config.stash.get(_OPTIONS, None)
    if options is None or not options.failed_only:
        return None
    if report.when == "call":
        return report.outcome, "", ""
    return ("error", "", "") if report.failed else None  # a check stopped before it began


def _deadline(config: pytest.Config) -> float | None:
    """``--deadline`` as a ``time.monotonic()`` value, if given."""
    seconds = options_of(config).deadline
    return None if seconds is None else config.stash[_STARTED] + seconds


@pytest.fixture(scope="session")
def inspector(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Submission]:
    """A process that runs grader code only: it opens the files students' code wrote (with
    Keras's safe mode), so that no student code shares a process with them."""
    where_students_saved = (str(tmp_path_factory.getbasetemp()),)
    yield from _grader_process(request.config, writable=where_students_saved)


@pytest.fixture(scope="session")
def trainer(request: pytest.FixtureRequest) -> Iterator[Submission]:
    """A process that runs grader code only and is handed nothing a student made beyond plain
    settings (never a file, never a model's configuration): the grader's own training runs
    (``grader.judge.grader_runs``), which a batch's other judges may read back, so nothing a
    student's work could do to a process that opens it reaches another student's marks."""
    yield from _grader_process(request.config)


def _grader_process(config: pytest.Config, writable: tuple[str, ...] = ()) -> Iterator[Submission]:
    """A ``Submission(None)`` for the session, its training epochs shown; closed at the end."""
    submission = Submission(
        None, timeout=INSPECTOR_TIMEOUT, writable=writable, deadline=_deadline(config)
    )
    if _PROGRESS in config.stash:
        submission.on_epoch = config.stash[_PROGRESS].graders_epoch
    yield submission
    submission.close()


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Refuse a check without points, so no check ever counts for nothing by accident; then
    keep only the checks ``--checks`` names, if it names any (the others are deselected)."""
    for item in items:
        module = item.getparent(ExerciseChecks)
        if module is not None and _check_name(item) not in module.exercise.points:
            raise pytest.UsageError(module.no_points(item.name))
    chosen = options_of(config).checks if _OPTIONS in config.stash else ()
    if chosen:
        kept = [item for item in items if _check_name(item) in chosen]
        config.hook.pytest_deselected(items=[item for item in items if item not in kept])
        items[:] = kept


def pytest_collection_finish(session: pytest.Session) -> None:
    """Once pytest has chosen the checks to run (``-k``, ``--deselect`` and ``--lf`` too), start
    the run's fork server if a Keras exercise's checks are among them."""
    config = session.config
    if _OPTIONS in config.stash and not config.option.collectonly:
        _start_fork_server(config, session.items)


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
    chosen = options_of(config).score_report
    return chosen if chosen else config.rootpath / DEFAULT_REPORT


@pytest.hookimpl(trylast=True)
def pytest_sessionfinish(session: pytest.Session) -> None:
    """Build the score report from pytest-json-report's (made by its own, earlier hook)."""
    config = session.config
    options = config.stash.get(_OPTIONS, None)
    graded = config.stash.get(_GRADED, {})
    json_report = config.stash.get(_JSON_REPORT, None)
    if options is None or (not graded and not options.expect_exercises) or json_report is None:
        return
    names = set(graded) | set(options.expect_exercises)
    chosen = [e for e in exercises() if e.name in names]
    missing = {
        e.name: options.missing_reasons.get(e.name)
        or say("status.missing_file", file=e.relative_path)
        for e in chosen
        if e.name not in graded
    }
    files = {f"{name}/{path.name}": path.read_bytes() for name, path in graded.items()}
    suite = config.stash.get(_HIDDEN, None)
    stopped = config.stash.get(_DEADLINE_REACHED, False)
    report = build_score_report(
        json_report,
        chosen,
        files=files,
        missing=missing,
        reference=str(options.reference.resolve()) if options.reference else None,
        hidden=suite.points if suite else None,
        isolation=_isolation(config.stash.get(_SUBMISSIONS, {}).values()),
        # An instructor's run grades every check of what it expects, unless told which.
        unrun_status="error" if options.expect_exercises and not options.checks else "not_run",
        incomplete=say("status.deadline", seconds=options.deadline) if stopped else None,
        ignored=options.ignored,
        sources=options.sources,
    )
    write_report(report, _report_path(config))
    config.stash[_REPORT] = report


def _isolation(submissions: Iterable[Submission]) -> dict[str, Any]:
    """The weakest walls any student process of this run had."""
    if requested() is None:
        return {"level": "none", "note": say("isolation.none")}
    seen = {s.isolation for s in submissions} & set(LEVELS)
    if not seen:
        return {"level": "none", "note": say("isolation.no_code")}
    level = max(seen, key=LEVELS.index)
    layers = weakest_layers([s.layers for s in submissions if s.isolation in LEVELS])
    note = say(f"isolation.{level}")
    if level != LEVELS[0] and hides_kit(layers):
        note = say("isolation.process_layers", layers=", ".join(active_names(layers)))
    return {"level": level, "note": note, "layers": layers}


def pytest_terminal_summary(terminalreporter: Any, config: pytest.Config) -> None:
    report = config.stash.get(_REPORT, None)
    if report is not None:
        print_score_table(
            report,
            _report_path(config),
            width=config.get_terminal_writer().fullwidth,
            pytest_line=terminalreporter.verbosity >= -1,
            failed_only=options_of(config).failed_only,
        )
