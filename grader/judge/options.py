"""How one grading run grades: one frozen object, built and validated once.

A student's ``pytest exercises`` builds it from pytest's own options (``from_pytest``);
``grader grade`` builds it from its command line and hands it to the plugin as it starts
pytest in its own process (``handed_to``), and ``grader batch`` gives each judge process its
command line (``to_argv``), the one place where options become text. The plugin reads nothing
else.
"""

import argparse
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.catalog import exercise, exercises
from grader.judge.hidden import HiddenSuite, HiddenSuiteError, load_hidden_suite
from grader.words import languages


class OptionsError(ValueError):
    """An option that cannot be used, with the option's name in the message."""


@dataclass(frozen=True)
class GradingOptions:
    """What a grading run was asked to do (each field is the pytest option of its name)."""

    score_report: Path | None = None
    """Where the JSON score report goes (default: ``score-report.json`` in the root folder)."""
    call_timeout: float | None = None
    """Seconds one call into the student's code may take (default: the exercise's own)."""
    lang: str | None = None
    """The language of the feedback (default: ``grader.words.language``)."""
    reference: Path | None = None
    """Reference solutions every check also compares with on random inputs."""
    expect_exercises: tuple[str, ...] = ()
    """Exercises the report must cover (an instructor's run); unexpected gaps are errors."""
    deadline: float | None = None
    """Seconds the whole run may take; checks not started by then are timeouts."""
    hidden_tests: Path | None = None
    """A folder of hidden checks (``grader.judge.hidden``)."""
    ignored: tuple[dict[str, Any], ...] | None = None
    """The submission's files left out when it was staged, with the reason (``grader grade``)."""
    sources: tuple[dict[str, Any], ...] | None = None
    """Where each exercise's staged module came from: a ``.py``, or a notebook's cells."""
    checks: tuple[str, ...] = ()
    """Only these checks of the exercises graded (their names, as in the report); the others
    are not run and count for nothing (``not_run``). Empty: every check."""
    fork_server: bool = True
    """Whether a run that checks a Keras exercise, and has no batch's fork server, starts one
    of its own that imports TensorFlow once (where the platform can fork: Linux)."""
    failed_only: bool = False
    """The compact view: the failing checks' messages and the table, passing checks silent,
    each exercise's checks not attempted yet on one line (``grader.results.table``)."""
    missing_reasons: Mapping[str, str] = field(default_factory=dict)
    """Why an exercise has no module, by exercise, where staging knows better than "file not
    found" (a notebook that could not be read, or defines none of its names)."""

    def checked(self) -> "GradingOptions":
        """These options, or ``OptionsError`` naming the first that cannot be used."""
        if self.lang and self.lang not in languages():
            raise OptionsError(f"--lang: no messages in {self.lang!r}; choose from {languages()}")
        if self.reference and not self.reference.is_dir():
            raise OptionsError(f"--reference: {self.reference} is not a folder")
        for name in self.expect_exercises:
            try:
                exercise(name)
            except KeyError as error:
                raise OptionsError(f"--expect-exercises: {error.args[0]}") from None
        known = {check for e in exercises() for check in e.points}
        unknown = sorted(set(self.checks) - known)
        if unknown:
            raise OptionsError(f"--checks: no check named {', '.join(unknown)}")
        for name, value in (("--call-timeout", self.call_timeout), ("--deadline", self.deadline)):
            if value is not None and value <= 0:
                raise OptionsError(f"{name}: {value:g} is not a positive number of seconds")
        return self

    def hidden_suite(self) -> HiddenSuite | None:
        """The hidden suite, loaded and validated; ``OptionsError`` if it is not valid."""
        if self.hidden_tests is None:
            return None
        try:
            return load_hidden_suite(self.hidden_tests)
        except HiddenSuiteError as error:
            raise OptionsError(f"--hidden-tests: {error}") from None

    @classmethod
    def from_pytest(cls, option: argparse.Namespace) -> "GradingOptions":
        """From pytest's parsed options (``config.option``), as a student's run gives them."""

        def path(value: str | None) -> Path | None:
            return Path(value) if value else None

        expected = option.expect_exercises or ""
        return cls(
            score_report=path(option.score_report),
            call_timeout=option.call_timeout,
            lang=option.lang,
            reference=path(option.reference),
            expect_exercises=tuple(name for name in expected.split(",") if name),
            deadline=option.deadline,
            hidden_tests=path(option.hidden_tests),
            fork_server=not option.no_fork_server,
            failed_only=option.failed_only,
        )

    def to_argv(self) -> list[str]:
        """The pytest options that give these options back through ``from_pytest`` (all but
        ``checks``, which a student's run selects with pytest's own ``-k``, and what staging
        found, ``ignored``, ``sources`` and ``missing_reasons``: only a run started in-process
        can be handed those)."""
        argv = []
        for name, value in (
            ("--score-report", self.score_report),
            ("--call-timeout", self.call_timeout),
            ("--lang", self.lang),
            ("--reference", self.reference),
            ("--deadline", self.deadline),
            ("--hidden-tests", self.hidden_tests),
        ):
            if value is not None:
                argv.append(f"{name}={value:g}" if isinstance(value, float) else f"{name}={value}")
        if self.expect_exercises:
            argv.append("--expect-exercises=" + ",".join(self.expect_exercises))
        if not self.fork_server:
            argv.append("--no-fork-server")
        if self.failed_only:
            argv.append("--failed-only")
        return argv


class HandedOptions:
    """A pytest plugin object carrying the options a command built (``pytest.main(...,
    plugins=[HandedOptions(options)])``): the grader plugin takes them instead of pytest's."""

    def __init__(self, options: GradingOptions):
        self.options = options


def handed_to(plugins: Iterable[object]) -> GradingOptions | None:
    """The options a command handed to this pytest run, if any."""
    found = [plugin.options for plugin in plugins if isinstance(plugin, HandedOptions)]
    return found[0] if found else None
