"""What each output format shows of a score report's points, read back with a real parser.

``fractional`` turns a real score report into one whose checks are worth fractional points
(``FRACTIONS`` in turn), through the model's own dataclasses. Each reader writes one format
from such reports the way the kit does (``grader report``, ``grader gradebook``, a batch's
class files, Gradescope's late rule), parses what was written (json, csv, xml.etree, html5lib,
markdown-it) and returns every total and exercise score it shows as ``Shown``: where, the
text as written, and the value the report says it is. ``problems`` lists each one that does
not equal its value to four decimals, the most ``points_text`` writes.
"""

import csv
import io
import itertools
import json
import re
import xml.etree.ElementTree as ET
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path

import html5lib
from markdown_it import MarkdownIt
from rich.console import Console

from grader.commands import cli
from grader.commands.batch import Outcome, write_class_files
from grader.results.class_page import FEEDBACK_FOLDER
from grader.results.formats import gradescope_results
from grader.results.late_work import LatePolicy, late_work, with_late_line
from grader.results.model import ExerciseResult, ScoreReport, SubmissionRecord, write_report
from grader.results.table import score_table
from grader.words import say

FRACTIONS = (0.5, 0.25, 2.5, 1.75, 0.125, 0.1, 0.2, 3)
"""Points per check, given in turn: halves, quarters, an eighth, and tenths (which binary
floating point cannot hold exactly, so their sums carry float noise a format must not show
as a different total)."""
PENALTY = Decimal("2.5")
"""The late penalty: ``2.5/day``, one day late."""
DUE = datetime.fromisoformat("2026-11-20T23:59:00+09:00")
SUBMITTED = DUE + timedelta(hours=12)
FOUR_DECIMALS = Decimal("0.0001")
NUMBER = r"-?\d+(?:\.\d+)?"
TOTAL = re.compile(rf"({NUMBER}) ?/ ?({NUMBER})")
"""``97.25 / 100``, as the tables, pages and titles write a score out of its maximum."""

Reports = Sequence[tuple[str, ScoreReport]]
Scored = ScoreReport | ExerciseResult
"""Anything with a ``score`` and a ``max_score``."""


def points(value: float) -> Decimal:
    return Decimal(repr(float(value)))


@dataclass(frozen=True)
class Shown:
    """One number a format shows: where, the text it wrote, and what the report says."""

    where: str
    text: str
    expected: Decimal

    def problem(self) -> str:
        """Empty when the text is the expected value to four decimals, else what is wrong."""
        try:
            shown = Decimal(self.text.strip())
        except ArithmeticError:
            return f"{self.where}: {self.text!r} is not a number (expected {self.expected})"
        if shown.quantize(FOUR_DECIMALS) == self.expected.quantize(FOUR_DECIMALS):
            return ""
        return (
            f"{self.where}: shows {self.text!r}, the score report says {self.expected} "
            "(compared to 4 decimals): the format rounds or drops the fraction"
        )


def problems(shown: Sequence[Shown]) -> list[str]:
    return [p for p in (s.problem() for s in shown) if p]


def fractional(report: ScoreReport, student: str, start: int = 0) -> ScoreReport:
    """``report`` with each check worth the next of ``FRACTIONS`` (from the ``start``-th),
    each exercise's maximum its checks' sum, and a batch's submission record for
    ``student``: the same statuses, other points."""
    worth = itertools.islice(itertools.cycle(FRACTIONS), start, None)
    exercises = []
    for exercise in report.exercises:
        checks = tuple(replace(check, max_score=next(worth)) for check in exercise.checks)
        maximum = sum(check.max_score for check in checks)
        exercises.append(replace(exercise, checks=checks, max_score=maximum))
    submission = SubmissionRecord(
        id=student,
        name=student,
        source="folder",
        status="graded",
        message="",
        ignored=(),
        graded_with={"grader": "test", "hidden_tests": None, "options": {}},
    )
    return replace(report, exercises=tuple(exercises), submission=submission)


def _totals(where: str, report: Scored, score: str, maximum: str) -> list[Shown]:
    return [
        Shown(f"{where}: score", score, points(report.score)),
        Shown(f"{where}: max_score", maximum, points(report.max_score)),
    ]


def _out_of(where: str, report: Scored, text: str) -> list[Shown]:
    """The ``score / max`` in ``text``; a problem when there is none."""
    found = TOTAL.search(text)
    if not found:
        return [Shown(f"{where}: no 'score / max' in {text!r}", "", points(report.score))]
    return _totals(where, report, found.group(1), found.group(2))


def _html(text: str):
    return html5lib.parse(text, namespaceHTMLElements=False)


def _markdown(text: str):
    return _html(MarkdownIt("commonmark").enable("table").render(text))


def _text(element) -> str:
    return "".join(element.itertext()).strip()


def _report_command(folder: Path, student: str, report: ScoreReport, fmt: str) -> str:
    """What ``grader report REPORT --format FMT`` writes for ``report``."""
    source, out = folder / f"{student}.json", folder / f"{student}.{fmt}"
    write_report(report, source)
    code = cli.main(["report", str(source), "--format", fmt, "--out", str(out), "--id", student])
    assert code == 0, f"grader report --format {fmt} failed on {student} ({code})"
    return out.read_text(encoding="utf-8")


def read_json_report(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        write_report(report, folder / f"{student}.json")
        data = json.loads((folder / f"{student}.json").read_text(encoding="utf-8"))
        ScoreReport.from_dict(data)  # it follows the schema and adds up
        where = f"score report JSON of {student}"
        shown += _totals(where, report, repr(data["score"]), repr(data["max_score"]))
        total = sum(points(test["score"]) for test in data["tests"])
        shown.append(
            Shown(f"{where}: the tests' scores added up", str(total), points(report.score))
        )
    return shown


def read_terminal_table(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        console = Console(file=io.StringIO(), width=200, record=True)
        console.print(score_table(report))
        lines = console.export_text().splitlines()
        total = next(
            (line for line in lines if line.lstrip("│ ").startswith(say("table.total"))), ""
        )
        shown += _out_of(f"terminal table of {student}, total row", report, total)
    return shown


def read_report_csv(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        row = next(csv.DictReader(io.StringIO(_report_command(folder, student, report, "csv"))))
        where = f"grader report --format csv of {student}"
        shown += _totals(where, report, row["total"], row["max"])
        shown += [
            Shown(f"{where}: {e.name}", row[e.name], points(e.score)) for e in report.exercises
        ]
    return shown


def read_gradescope(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        data = json.loads(_report_command(folder, student, report, "gradescope"))
        where = f"Gradescope results.json of {student}"
        tests = sum(points(t["score"]) for t in data["tests"])
        maximum = sum(points(t["max_score"]) for t in data["tests"])
        shown += _totals(where, report, repr(data["score"]), str(maximum))
        shown.append(
            Shown(f"{where}: the tests' scores added up", str(tests), points(report.score))
        )
        shown += _out_of(f"{where}: output", report, data["output"])
    return shown


def read_gradescope_late(reports: Reports, folder: Path) -> list[Shown]:
    """Gradescope's results with the late rule (``2.5/day``) one day late."""
    metadata = json.dumps(
        {"created_at": SUBMITTED.isoformat(), "assignment": {"due_date": DUE.isoformat()}}
    )
    shown = []
    for student, report in reports:
        late = late_work(metadata, LatePolicy("2.5/day"), report.score, report.max_score)
        data = json.loads(json.dumps(with_late_line(gradescope_results(report), late)))
        penalty = min(PENALTY, points(report.score))
        where = f"Gradescope results.json of {student}, a day late"
        shown.append(Shown(f"{where}: score", repr(data["score"]), points(report.score) - penalty))
        line = data["tests"][-1]
        shown.append(
            Shown(
                f"{where}: the late test's penalty",
                repr(line["extra_data"]["late_penalty"]),
                penalty,
            )
        )
        after = say("platform.late_total", score="\0", max_score="\0").split("\0")[0]
        last = data["output"].rpartition(after)[2]
        found = TOTAL.search(last)
        shown.append(
            Shown(
                f"{where}: output after the penalty",
                found.group(1) if found else last,
                points(report.score) - penalty,
            )
        )
    return shown


def read_classroom(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        data = json.loads(_report_command(folder, student, report, "classroom"))
        tests = sum(points(t["score"]) for t in data["tests"])
        where = f"Classroom payload of {student}"
        shown += _totals(where, report, str(tests), repr(data["max_score"]))
    return shown


def _suites_added(root: ET.Element, name: str) -> str:
    """The ``name`` properties of every test suite, added up."""
    values = [
        prop.get("value", "")
        for suite in root.findall("testsuite")
        for prop in suite.iter("property")
        if prop.get("name") == name
    ]
    return str(sum(Decimal(v) for v in values)) if values else "no such property"


def read_junit(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        root = ET.fromstring(_report_command(folder, student, report, "junit"))
        where = f"JUnit XML of {student}, its suites' properties added up"
        shown += _totals(
            where, report, _suites_added(root, "score"), _suites_added(root, "max_score")
        )
    return shown


def read_prairielearn(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        data = json.loads(_report_command(folder, student, report, "prairielearn"))
        where = f"PrairieLearn results.json of {student}"
        tests = sum(points(t["points"]) for t in data["tests"])
        maximum = sum(points(t["max_points"]) for t in data["tests"])
        shown += _totals(where, report, str(tests), str(maximum))
        fraction = points(data["score"]) * points(report.max_score)
        shown.append(
            Shown(f"{where}: score times the maximum", str(fraction), points(report.score))
        )
        shown += _out_of(f"{where}: message", report, data["message"])
    return shown


def read_actions_summary(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        page = _markdown(_report_command(folder, student, report, "actions-summary"))
        where = f"job summary of {student}"
        shown += _out_of(f"{where}: heading", report, _text(page.find(".//h2")))
        rows = [[_text(cell) for cell in row] for row in page.iter("tr")]
        total = next((row for row in rows if row[0] == say("table.total")), ["", ""])
        shown += _out_of(f"{where}: total row", report, total[1])
    return shown


def read_check_run(reports: Reports, folder: Path) -> list[Shown]:
    shown = []
    for student, report in reports:
        body = json.loads(_report_command(folder, student, report, "check-run"))
        shown += _out_of(
            f"check run title of {student}", report, body["output"]["title"].rpartition(": ")[2]
        )
    return shown


def _gradebook(folder: Path, reports: Reports, fmt: str, *extra: str) -> list[list[str]]:
    """The rows of ``grader gradebook`` with the late rule, everyone a day late."""
    out = folder / "batch"
    out.mkdir(exist_ok=True)
    roster = folder / "roster.csv"
    lines = ["submission,submitted_at"] + [f"{s},{SUBMITTED.isoformat()}" for s, _ in reports]
    roster.write_text("\n".join(lines) + "\n", encoding="utf-8")
    for student, report in reports:
        write_report(report, out / f"{student}.json")
    destination = folder / f"gradebook-{fmt}{'-'.join(extra)}.csv"
    command = [
        "gradebook",
        str(out),
        "--format",
        fmt,
        "--roster",
        str(roster),
        "--to",
        str(destination),
    ]
    command += ["--due", DUE.isoformat(), "--late-penalty", "2.5/day", *extra]
    assert cli.main(command) == 0, f"grader gradebook --format {fmt} failed"
    return list(csv.reader(io.StringIO(destination.read_text(encoding="utf-8"))))


def _lms(reports: Reports, folder: Path, fmt: str, first: int, skip: int) -> list[Shown]:
    """Canvas's or Moodle's file: the assignment's cell is the points after the penalty, the
    penalty its own column; per exercise, the exercises' cells the points before it."""
    column = say("platform.late_penalty_column")
    whole = _gradebook(folder, reports, fmt)
    by_exercise = _gradebook(folder, reports, fmt, "--per-exercise")
    shown = []
    header, rows = whole[0], whole[skip:]
    penalty_at = header.index(column)
    for (student, report), row, split in zip(reports, rows, by_exercise[skip:], strict=True):
        penalty = min(PENALTY, points(report.score))
        where = f"{fmt} gradebook, {student}"
        shown.append(Shown(f"{where}: the assignment", row[first], points(report.score) - penalty))
        shown.append(Shown(f"{where}: late penalty", row[penalty_at], penalty))
        cells = [Decimal(cell) for cell in split[first : by_exercise[0].index(column)] if cell]
        shown.append(
            Shown(f"{where}: the exercises added up", str(sum(cells)), points(report.score))
        )
    if fmt == "canvas":
        possible = whole[1][first]
        shown.append(
            Shown(
                "canvas gradebook: Points Possible",
                possible,
                max(points(r.max_score) for _, r in reports),
            )
        )
    return shown


def read_canvas(reports: Reports, folder: Path) -> list[Shown]:
    return _lms(reports, folder, "canvas", first=5, skip=2)


def read_moodle(reports: Reports, folder: Path) -> list[Shown]:
    return _lms(reports, folder, "moodle", first=2, skip=1)


def read_plain_gradebook(reports: Reports, folder: Path) -> list[Shown]:
    rows = _gradebook(folder, reports, "csv")
    header = rows[0]
    found = {row[0]: dict(zip(header, row, strict=True)) for row in rows[1:]}
    shown = []
    for student, report in reports:
        row = found[student]
        penalty = min(PENALTY, points(report.score))
        where = f"csv gradebook, {student}"
        shown += _totals(where, report, row["score"], row["max"])
        shown.append(Shown(f"{where}: late_penalty", row["late_penalty"], penalty))
        shown.append(Shown(f"{where}: total", row["total"], points(report.score) - penalty))
    return shown


def _batch_files(reports: Reports, folder: Path) -> Path:
    out = folder / "class"
    if not out.exists():
        out.mkdir()
        outcomes = [Outcome(student, report) for student, report in reports]
        write_class_files(out, outcomes, "en", feedback_hidden=False)
    return out


def read_batch_gradebook(reports: Reports, folder: Path) -> list[Shown]:
    text = (_batch_files(reports, folder) / "gradebook.csv").read_text(encoding="utf-8")
    found = {row["id"]: row for row in csv.DictReader(io.StringIO(text))}
    shown = []
    for student, report in reports:
        where = f"batch gradebook.csv, {student}"
        shown += _totals(where, report, found[student]["total"], found[student]["max"])
    return shown


def read_class_page(reports: Reports, folder: Path) -> list[Shown]:
    page = _html((_batch_files(reports, folder) / "summary.html").read_text(encoding="utf-8"))
    table = page.find(".//table[@id='student-table']")
    names = [_text(cell) for cell in table.find("thead").iter("th")]
    rows = {_text(row[0]): row for row in table.find("tbody").iter("tr")}
    shown = []
    for student, report in reports:
        cells = rows[student]
        where = f"class page, {student}"
        shown.append(Shown(f"{where}: total", _text(cells[1]), points(report.score)))
        shown.append(
            Shown(f"{where}: total's sort value", cells[1].get("data-value"), points(report.score))
        )
        for exercise in report.exercises:
            at = next(i for i, name in enumerate(names) if name.startswith(f"{exercise.name} /"))
            shown.append(
                Shown(f"{where}: {exercise.name}", _text(cells[at]), points(exercise.score))
            )
    return shown


def _feedback(reports: Reports, folder: Path, suffix: str, parse: Callable) -> list[Shown]:
    pages = _batch_files(reports, folder) / FEEDBACK_FOLDER
    shown = []
    for student, report in reports:
        page = parse((pages / f"{student}{suffix}").read_text(encoding="utf-8"))
        where = f"feedback {suffix} of {student}"
        shown += _out_of(f"{where}: total", report, _text(page.find(".//strong")))
        rows = {_text(row[0]): row for row in page.iter("tr")}
        for exercise in report.exercises:
            shown += _out_of(f"{where}: {exercise.name}", exercise, _text(rows[exercise.name][1]))
    return shown


def read_feedback_markdown(reports: Reports, folder: Path) -> list[Shown]:
    return _feedback(reports, folder, ".md", _markdown)


def read_feedback_html(reports: Reports, folder: Path) -> list[Shown]:
    return _feedback(reports, folder, ".html", _html)


READERS: dict[str, Callable[[Reports, Path], list[Shown]]] = {
    "json": read_json_report,
    "table": read_terminal_table,
    "csv": read_report_csv,
    "gradescope": read_gradescope,
    "gradescope with a late penalty": read_gradescope_late,
    "classroom": read_classroom,
    "junit": read_junit,
    "prairielearn": read_prairielearn,
    "actions-summary": read_actions_summary,
    "check-run": read_check_run,
    "gradebook canvas": read_canvas,
    "gradebook moodle": read_moodle,
    "gradebook csv": read_plain_gradebook,
    "batch gradebook.csv": read_batch_gradebook,
    "summary.html": read_class_page,
    "feedback .md": read_feedback_markdown,
    "feedback .html": read_feedback_html,
}
"""Every format that shows points, by name; ``grader report``'s ``annotations`` show none."""
