"""The score table printed at the end of a run, derived from the score report."""

from dataclasses import dataclass
from pathlib import Path

from rich.console import Console
from rich.table import Table
from rich.text import Text

from grader.catalog import exercise as exercise_named
from grader.results.formats import points_text
from grader.results.model import CheckResult, ScoreReport
from grader.words import language, say

FAILING = ("failed", "error", "timeout")
"""Statuses of a check that ran, was attempted and did not pass."""


def next_step(report: ScoreReport, exercise: str) -> str:
    """The first check of ``exercise`` that ran and did not pass, in points-table order, with
    its diagnosis when one was made, and where to find a hint. A check the student did not run
    (``not_run``) is never the next step: when every check that ran passed, how many did not
    run."""
    tests = report.checks_of(exercise)
    # Every check that ran failed for one reason (the module does not import): that reason is
    # the next step, and no check's hint is.
    one_reason = _one_reason(tests)
    for test in tests:
        if test.status not in ("passed", "not_run"):
            what = test.diagnosis or say(f"table.status_{test.status}")
            step = say("table.next_check", check=check_label(test), status=what)
            if test.status in ("failed", "error") and not one_reason:
                step += " " + say("table.see_hint", exercise=exercise)
            return step
    not_run = sum(t.status == "not_run" for t in tests)
    return say("table.ran_pass", checks=not_run) if not_run else say("table.done")


def _one_reason(tests: tuple[CheckResult, ...]) -> bool:
    """Whether every check that ran failed for one reason: the module does not import."""
    ran = [t for t in tests if t.status != "not_run"]
    return bool(
        len(ran) > 1
        and ran[0].diagnosis
        and all(t.status == "error" and t.diagnosis == ran[0].diagnosis for t in ran)
    )


@dataclass(frozen=True)
class Failing:
    """A check the compact view shows: its heading and the message the student reads."""

    heading: str
    message: str


def not_attempted_lines(report: ScoreReport) -> list[str]:
    """The compact view's one line per exercise for the checks not attempted yet (the stub's
    ``NotImplementedError`` still raised): the whole exercise, or the checks still to write."""
    lines = []
    for row in report.exercises:
        tests = report.checks_of(row.name)
        waiting = [t for t in tests if t.status == "not_attempted"]
        if not waiting:
            continue
        ran = [t for t in tests if t.status != "not_run"]
        if len(waiting) == len(ran):
            lines.append(
                say(
                    "table.compact_not_attempted",
                    exercise=row.name,
                    checks=len(waiting),
                    points=points_text(sum(t.max_score for t in waiting)),
                    file=exercise_named(row.name).filename,
                )
            )
        else:
            names = ", ".join(check_label(t) for t in waiting)
            lines.append(say("table.compact_checks_not_attempted", exercise=row.name, checks=names))
    return lines


def failing_checks(report: ScoreReport) -> list[Failing]:
    """Each check that was attempted and did not pass, in the table's order, with its
    message; a module that does not import is shown once, under its first check."""
    shown = []
    for row in report.exercises:
        tests = report.checks_of(row.name)
        failing = [t for t in tests if t.status in FAILING]
        for test in failing[:1] if _one_reason(tests) else failing:
            status = test.diagnosis or say(f"table.status_{test.status}")
            heading = say(
                "table.compact_heading", exercise=row.name, check=check_label(test), status=status
            )
            shown.append(Failing(heading, test.message))
    return shown


def check_label(test: CheckResult) -> str:
    """A check's name, marked as hidden when it comes from an instructor's hidden suite."""
    return say("table.hidden_check", check=test.name) if test.hidden else test.name


def hidden_note(report: ScoreReport) -> str:
    """What the table says about hidden checks.

    When hidden checks ran: how many, and what they earned. When none ran and the run compared
    with recorded values only (no reference solutions: a student's run, on a laptop or in
    GitHub Classroom): that the table covers the visible checks only and the instructor may
    grade with more. Otherwise (an instructor's run without a hidden suite): nothing.
    """
    hidden = [t for t in report.tests if t.hidden]
    if hidden:
        return say(
            "table.hidden_included",
            checks=len(hidden),
            passed=sum(t.status == "passed" for t in hidden),
            score=points_text(sum(t.score for t in hidden)),
            max_score=points_text(sum(t.max_score for t in hidden)),
        )
    return say("table.visible_only") if report.reference is None else ""


def score_table(report: ScoreReport) -> Table:
    table = Table(title=say("table.title"), title_justify="left")
    table.add_column(say("table.exercise"))
    table.add_column(say("table.score"), justify="right")
    table.add_column(say("table.checks"), justify="right")
    table.add_column(say("table.next"))
    for row in report.exercises:
        table.add_row(
            row.name,
            f"{points_text(row.score)} / {points_text(row.max_score)}",
            f"{row.passed} / {len(row.checks)}",
            next_step(report, row.name),
        )
    table.add_section()
    table.add_row(
        say("table.total"), f"{points_text(report.score)} / {points_text(report.max_score)}", "", ""
    )
    return table


def print_score_table(
    report: ScoreReport,
    path: Path,
    width: int = 100,
    pytest_line: bool = False,
    failed_only: bool = False,
) -> None:
    """The table, the note on hidden checks, and where the report is. With ``pytest_line``
    (pytest prints its English summary line next) and feedback in another language, a line
    that says the counts in that language and what pytest's words mean. With
    ``failed_only`` (the compact view), first each failing check's message, then one line per
    exercise for its checks not attempted yet."""
    console = Console(width=max(width, 60), highlight=False)
    if failed_only:  # long lines are the terminal's to wrap, as pytest's own report's are
        for failing in failing_checks(report):
            console.print(Text(failing.heading, style="bold red"), soft_wrap=True)
            console.print(Text(failing.message), soft_wrap=True)
            console.print()
        waiting = not_attempted_lines(report)
        for line in waiting:
            console.print(Text(line), soft_wrap=True)
        if waiting:
            console.print()
    console.print(score_table(report))
    not_run = sum(t.status == "not_run" for t in report.tests)
    if not_run:
        console.print(say("table.partial_run", checks=not_run))
    note = hidden_note(report)
    if note:
        console.print(note)
    isolation = report.isolation or {}
    if isolation.get("level") == "process":  # an instructor's run on a machine that lacked walls
        console.print(isolation["note"], style="bold red")
    console.print(say("table.report", path=path))
    if pytest_line and language() != "en":
        passed = sum(t.status == "passed" for t in report.tests)
        console.print(say("table.pytest_line", passed=passed, checks=len(report.tests)))
