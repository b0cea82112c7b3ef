"""``grader gradebook OUT``: a batch's results as the file Canvas or Moodle imports, or as a
plain CSV, with the students of a roster, the late penalty in its own column, and every
submission the file leaves out named on stderr."""

import sys
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from grader.results import gradebooks
from grader.results.model import ScoreReport, read_report

DEFAULT_ASSIGNMENT = "Deep-learning exercises"


@dataclass(frozen=True)
class Options:
    out: Path
    format: str
    roster: Path | None = None
    destination: Path | None = None
    missing: str = "empty"
    assignment: str = DEFAULT_ASSIGNMENT
    per_exercise: bool = False
    due: str | None = None
    late_penalty: str | None = None
    late_cap: str | None = None
    submissions: Path | None = None


def read_reports(out: Path) -> tuple[dict[str, ScoreReport], list[str]]:
    """The batch's score reports in ``out`` by submission id, and the files that are not one."""
    reports, others = {}, []
    for path in sorted(out.glob("*.json")):
        report = read_report(path)
        if report is None:
            others.append(path.name)
            continue
        reports[report.submission.id if report.submission else path.stem] = report
    return reports, others


def submission_times(reports: dict[str, ScoreReport], submissions: Path) -> dict[str, datetime]:
    """When each submission came in, by the modification time of its folder or zip in
    ``submissions``: the stated fallback when the roster has no ``submitted_at``."""
    times = {}
    for student, report in reports.items():
        path = submissions / (report.submission.name if report.submission else student)
        if path.exists():
            times[student] = datetime.fromtimestamp(path.stat().st_mtime, tz=UTC)
    return times


def problem(options: Options) -> str:
    """Why the options cannot make a gradebook, or an empty string."""
    if not options.out.is_dir():
        return f"{options.out} is not a folder (give the --out folder of grader batch)"
    if options.format != "csv" and options.roster is None:
        return f"--format {options.format} needs --roster: the LMS matches students by it"
    if (options.due is None) != (options.late_penalty is None):
        return "--due and --late-penalty go together"
    if options.late_cap is not None and options.due is None:
        return "--late-cap needs --due and --late-penalty"
    return ""


def make_gradebook(options: Options) -> int:
    """Write the gradebook; 2 when it cannot be made (the reason on stderr)."""

    def fail(message: str) -> int:
        print(f"grader gradebook: {message}", file=sys.stderr)
        return 2

    why = problem(options)
    if why:
        return fail(why)
    try:
        rule = (
            gradebooks.LateRule.parse(options.due, options.late_penalty, options.late_cap)
            if options.due and options.late_penalty
            else None
        )
        roster = (
            gradebooks.read_roster(options.roster.read_text(encoding="utf-8"))
            if options.roster
            else None
        )
    except (OSError, ValueError) as error:
        where = "--roster " if isinstance(error, gradebooks.RosterError | OSError) else ""
        return fail(f"{where}{error}")
    reports, others = read_reports(options.out)
    if not reports:
        return fail(f"no score report in {options.out}")
    times = submission_times(reports, options.submissions) if options.submissions else {}
    try:
        book = gradebooks.gradebook_rows(reports, roster, rule=rule, submitted=times)
    except ValueError as error:
        return fail(str(error))
    if options.format in ("canvas", "moodle"):
        lms = gradebooks.canvas_csv if options.format == "canvas" else gradebooks.moodle_csv
        text = lms(
            book,
            assignment=options.assignment,
            per_exercise=options.per_exercise,
            missing=options.missing,
        )
    else:
        text = gradebooks.plain_csv(book, missing=options.missing)
    destination = options.destination or options.out / f"gradebook-{options.format}.csv"
    destination.write_text(text, encoding="utf-8")
    for line in notes(book, options, others):
        print(f"grader gradebook: {line}", file=sys.stderr)
    print(f"wrote {destination}")
    return 0


def notes(book: gradebooks.Gradebook, options: Options, others: list[str]) -> list[str]:
    """What the instructor must know about the file: whatever it leaves out or cannot say."""
    lines = []
    if book.unmatched:
        where = "kept in the plain CSV" if options.format == "csv" else "NOT in this file"
        lines.append(
            f"{len(book.unmatched)} submission(s) have no roster entry ({where}): "
            + ", ".join(book.unmatched)
        )
    if book.not_counted:
        lines.append(
            f"{len(book.not_counted)} submission(s) were not graded (error or unreadable; "
            "their cells are empty, see their reports): " + ", ".join(book.not_counted)
        )
    missing = [r for r in book.rows if r.status == "missing"]
    if missing:
        cell = "0" if options.missing == "zero" else "an empty cell"
        names = [r.identity.get("name") or r.submission or "?" for r in missing]
        lines.append(f"{len(missing)} student(s) submitted nothing ({cell}): " + ", ".join(names))
    if book.no_timestamp:
        lines.append(
            f"{len(book.no_timestamp)} submission(s) have no submission time (no submitted_at "
            "in the roster, no --submissions file), so no late penalty: "
            + ", ".join(book.no_timestamp)
        )
    if others:
        lines.append("not score reports, left out: " + ", ".join(others))
    return lines
