"""GitHub Actions, without Classroom: what a workflow shows of one score report.

- ``step_summary``: the job summary (``GITHUB_STEP_SUMMARY``, Markdown): the score table and
  each failing check's feedback;
- ``annotations``: one workflow command per failing check (``::error file=...,line=...::``) on
  the student's file, at the definition the check's message names, capped;
- ``check_run``: the body of a check run whose title carries the score, so the repository list
  shows every student's score.

Every sentence comes from ``grader.words``, in the course's language.
"""

import ast
import html
from collections.abc import Mapping
from typing import Any

from grader.results.formats import points_text, status_words
from grader.results.model import CheckResult, ScoreReport
from grader.results.table import check_label, hidden_note
from grader.words import say

FAILING = ("failed", "error", "timeout")
"""Statuses that get an error annotation each; ``not_attempted`` checks get one notice per
exercise, so that a stub does not flood the page."""
FORMATS = ("actions-summary", "annotations", "check-run")
"""The names ``grader report --format`` knows these by."""
REPORT_FILE = "report.json"
"""The score report the workflow writes (``grader grade exercises --json report.json``)."""
ARTIFACT_NAME = "score-report"
"""The artifact the workflow uploads it as, holding ``REPORT_FILE`` at its root; what
``grader collect actions`` downloads."""
DEFAULT_CAP = 10
"""Error annotations written at most (GitHub shows ten per step)."""


def _cell(text: str) -> str:
    return html.escape(text).replace("|", "&#124;").replace("\n", " ")


def step_summary(report: ScoreReport) -> str:
    """The job summary: the score, a table of exercises, the note on hidden checks, then each
    check that did not pass, its feedback folded under its name."""
    total = f"{points_text(report.score)} / {points_text(report.max_score)}"
    lines = [
        f"## {say('table.title')}: {total}",
        "",
        f"| {say('table.exercise')} | {say('table.score')} | {say('table.checks')} |",
        "|:--|--:|--:|",
    ]
    for row in report.exercises:
        score = f"{points_text(row.score)} / {points_text(row.max_score)}"
        lines.append(f"| {row.name} | {score} | {row.passed} / {len(row.checks)} |")
    passed = sum(t.status == "passed" for t in report.tests)
    lines.append(f"| **{say('table.total')}** | **{total}** | {passed} / {len(report.tests)} |")
    note = hidden_note(report)
    if note:
        lines += ["", note]
    failing = [t for t in report.tests if t.status in FAILING]
    if failing:
        lines += ["", f"### {say('platform.failing_checks', checks=len(failing))}", ""]
        for test in failing:
            name = f"{test.exercise}/{check_label(test)}"
            lines += [
                f"<details><summary><code>{html.escape(name)}</code>: "
                f"{_cell(status_words(test))}</summary>",
                "",
                f"<pre>{html.escape(test.message)}</pre>",
                "</details>",
                "",
            ]
    untouched = _not_attempted(report)
    if untouched:
        lines += ["", f"### {say('table.status_not_attempted')}", ""]
        lines += [f"- {name}: {', '.join(checks)}" for name, checks in untouched.items()]
    return "\n".join(lines).rstrip() + "\n"


def _not_attempted(report: ScoreReport) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for test in report.tests:
        if test.status == "not_attempted":
            found.setdefault(test.exercise, []).append(test.name)
    return found


def _definitions(source: str) -> dict[str, int] | int:
    """The line of each function, class and method defined in ``source``; the line of the
    syntax error when it does not parse."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        return error.lineno or 1
    found: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            found.setdefault(node.name, node.lineno)
    return found


def locate(test: CheckResult, source: str) -> int | None:
    """The line of the student's file a failing check points at: the definition its message
    names first (``relu(x=...)``: ``def relu``), else the one the check is named after
    (``softmax_axis``: ``def softmax``), else the syntax error; None when none is found."""
    found = _definitions(source)
    if isinstance(found, int):
        return found
    message = test.message
    named = [(message.find(f"{name}("), name) for name in found if f"{name}(" in message]
    if named:
        return found[min(named)[1]]
    prefixes = [n for n in found if test.name == n or test.name.startswith(n + "_")]
    return found[max(prefixes, key=len)] if prefixes else None


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def workflow_command(level: str, message: str, **properties: str | int | None) -> str:
    """``::level file=...,line=...,title=...::message``, escaped as GitHub's workflow commands
    require (``%``, newlines; in properties also ``:`` and ``,``)."""
    given = ",".join(
        f"{key}={_escape_property(str(value))}" for key, value in properties.items() if value
    )
    return f"::{level}{' ' + given if given else ''}::{_escape_data(message)}"


def annotations(
    report: ScoreReport,
    sources: Mapping[str, str],
    *,
    root: str = "exercises",
    cap: int = DEFAULT_CAP,
) -> list[str]:
    """One ``::error`` per failing check (at most ``cap``, then one warning saying how many
    more), one ``::notice`` per exercise with checks not attempted. ``sources``: the student's
    files by path relative to ``root`` (``ex01_activations/activations.py``)."""
    paths = {}
    for test in report.tests:
        exercise = test.exercise
        if exercise not in paths:
            paths[exercise] = next((p for p in sources if p.startswith(f"{exercise}/")), None)
    commands = []
    failing = [t for t in report.tests if t.status in FAILING]
    for test in failing[:cap]:
        path = paths.get(test.exercise)
        line = locate(test, sources[path]) if path else None
        commands.append(
            workflow_command(
                "error",
                test.message or status_words(test),
                file=f"{root}/{path}" if path else None,
                line=line,
                title=f"{test.exercise}/{check_label(test)}: {status_words(test)}",
            )
        )
    if len(failing) > cap:
        commands.append(
            workflow_command("warning", say("platform.more_failing", checks=len(failing) - cap))
        )
    for exercise, checks in _not_attempted(report).items():
        path = paths.get(exercise)
        commands.append(
            workflow_command(
                "notice",
                say("platform.not_attempted", checks=len(checks), names=", ".join(checks)),
                file=f"{root}/{path}" if path else None,
                title=f"{exercise}: {say('table.status_not_attempted')}",
            )
        )
    return commands


def default_assignment(report: ScoreReport) -> str:
    """``ex01-ex08``: the first and last exercise graded."""
    names = [e.name.split("_")[0] for e in report.exercises]
    if not names:
        return "grader"
    return names[0] if len(names) == 1 else f"{names[0]}-{names[-1]}"


def check_run(
    report: ScoreReport, *, head_sha: str, assignment: str | None = None
) -> dict[str, Any]:
    """The body of ``POST /repos/{owner}/{repo}/check-runs``: a completed check run named
    after the assignment, its title the score (``ex01-ex08: 73/100``), its summary the job
    summary. Neutral: the score, not a pass or fail, is what it reports."""
    name = assignment or default_assignment(report)
    title = f"{name}: {points_text(report.score)}/{points_text(report.max_score)}"
    return {
        "name": name,
        "head_sha": head_sha,
        "status": "completed",
        "conclusion": "neutral",
        "output": {"title": title, "summary": step_summary(report)[:65535]},
    }
