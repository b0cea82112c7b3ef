"""The files a learning-management system imports, derived from a batch's score reports.

A roster (``read_roster``) maps each submission id of ``grader batch`` to the student's
identities in the LMS. ``gradebook_rows`` joins roster and reports, with the late penalty
(``LateRule``) as its own column; ``canvas_csv``, ``moodle_csv`` and ``plain_csv`` write the
rows as Canvas's gradebook import, Moodle's grade import and a plain CSV. Points are computed
in decimal and written with every digit they have, so a format's total is the report's total.
"""

import csv
import io
import math
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from decimal import Decimal

from grader.results.formats import grading_status, points_text
from grader.results.model import ScoreReport
from grader.words import say

ROSTER_COLUMNS = {
    "submission": "the submission's id in the batch (OUT/<id>.json); empty: nothing submitted",
    "name": "the student's name (Canvas's Student column)",
    "canvas_id": "Canvas's user ID (its ID column)",
    "sis_user_id": "Canvas's SIS User ID",
    "sis_login_id": "Canvas's SIS Login ID",
    "section": "Canvas's Section",
    "id_number": "Moodle's ID number",
    "email": "Moodle's Email address",
    "submitted_at": "when the work was submitted (ISO 8601, e.g. 2026-11-20T23:10:00+09:00)",
}
"""The roster's columns (a header row names them; only ``submission`` is required)."""
CANVAS_IDENTITY = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
"""Canvas's identity columns, in the order of its gradebook export."""
CANVAS_POINTS_ROW = "    Points Possible"
"""The first cell of the row under Canvas's header that gives each column's points possible."""
COUNTED = ("graded", "timeout")
"""Submission statuses whose points go to the LMS (a timed-out run's checks still count); an
``error`` or ``unreadable`` submission's cells stay empty and are listed for the instructor."""


class RosterError(ValueError):
    """A roster the gradebook cannot use; the message says where."""


@dataclass(frozen=True)
class RosterEntry:
    """One student of the roster."""

    submission: str
    identity: Mapping[str, str]
    """The roster's other columns, by name."""

    def get(self, column: str) -> str:
        return self.identity.get(column, "")


def read_roster(text: str) -> list[RosterEntry]:
    """The roster in a CSV's text: a header with at least ``submission``, one row a student."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    if "submission" not in header:
        raise RosterError("its header has no 'submission' column (the batch's submission id)")
    unknown = set(header) - set(ROSTER_COLUMNS)
    if unknown:
        raise RosterError(
            f"unknown column(s) {', '.join(sorted(unknown))}; the columns are "
            f"{', '.join(ROSTER_COLUMNS)}"
        )
    entries, seen = [], set()
    for line, row in enumerate(reader, start=2):
        values = {key.strip(): (value or "").strip() for key, value in row.items() if key}
        submission = values.pop("submission")
        if submission and submission in seen:
            raise RosterError(f"line {line}: submission {submission!r} is listed twice")
        seen.add(submission)
        entries.append(RosterEntry(submission, values))
    return entries


def parse_datetime(text: str, where: str) -> datetime:
    """An ISO 8601 time; one without a UTC offset is read in this machine's time zone."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"{where}: {text!r} is not a date and time such as 2026-11-20T23:59"
        ) from None
    return moment if moment.tzinfo else moment.astimezone()


_RATE = re.compile(r"(\d+(?:\.\d+)?)\s*(%|points?|pts?)?\s*/\s*day")
_CAP = re.compile(r"(\d+(?:\.\d+)?)\s*(%|points?|pts?)?")


@dataclass(frozen=True)
class LateRule:
    """A penalty per day late, each started day counting as a whole one, capped.

    ``per_day`` and ``cap`` are points, or percent of the assignment's maximum when
    ``*_percent``; the penalty never exceeds the cap nor the points earned."""

    due: datetime
    per_day: Decimal
    per_day_percent: bool
    cap: Decimal | None = None
    cap_percent: bool = False

    @classmethod
    def parse(cls, due: str, penalty: str, cap: str | None = None) -> "LateRule":
        """From ``--due``, ``--late-penalty`` (``10%/day`` or ``2.5/day``, points) and
        ``--late-cap`` (``50%`` or ``30``, points)."""
        return cls.due_at(parse_datetime(due, "--due"), penalty, cap)

    @classmethod
    def due_at(cls, due: datetime, penalty: str, cap: str | None = None) -> "LateRule":
        """The rule of ``--late-penalty`` and ``--late-cap`` with a due time known already
        (Gradescope's, from its submission metadata)."""
        rate = _RATE.fullmatch(penalty.strip())
        if not rate:
            raise ValueError(
                f"--late-penalty: {penalty!r} is not a rate such as 10%/day or 2.5/day"
            )
        capped = _CAP.fullmatch(cap.strip()) if cap is not None else None
        if cap is not None and not capped:
            raise ValueError(f"--late-cap: {cap!r} is not an amount such as 50% or 30")
        return cls(
            due=due,
            per_day=Decimal(rate.group(1)),
            per_day_percent=rate.group(2) == "%",
            cap=Decimal(capped.group(1)) if capped else None,
            cap_percent=bool(capped) and capped.group(2) == "%",
        )

    def days_late(self, submitted: datetime) -> int:
        late = submitted - self.due
        return math.ceil(late / timedelta(days=1)) if late > timedelta(0) else 0

    def penalty(self, days: int, score: Decimal, max_score: Decimal) -> Decimal:
        def amount(value: Decimal, percent: bool) -> Decimal:
            return value * max_score / 100 if percent else value

        penalty = days * amount(self.per_day, self.per_day_percent)
        if self.cap is not None:
            penalty = min(penalty, amount(self.cap, self.cap_percent))
        return min(penalty, score)


def points(value: float | Decimal) -> Decimal:
    """A report's points as a decimal with the digits they were written with."""
    return value if isinstance(value, Decimal) else Decimal(repr(float(value)))


@dataclass
class GradebookRow:
    """One student's line: who (the roster's identities), what the report gave, the penalty."""

    submission: str
    identity: Mapping[str, str]
    status: str
    """The submission's status in the batch, or ``missing`` when nothing was submitted."""
    score: Decimal | None = None
    max_score: Decimal | None = None
    exercises: dict[str, Decimal] = field(default_factory=dict)
    days_late: int | None = None
    """None: not known (no rule, no timestamp, nothing submitted)."""
    penalty: Decimal = Decimal(0)

    @property
    def counted(self) -> bool:
        return self.score is not None and self.status in COUNTED

    @property
    def final(self) -> Decimal | None:
        return self.score - self.penalty if self.score is not None else None


@dataclass
class Gradebook:
    rows: list[GradebookRow]
    exercises: dict[str, Decimal]
    """Each exercise's maximum, in course order."""
    max_score: Decimal
    unmatched: list[str]
    """Submissions with no roster entry (written only to the plain CSV, and listed)."""
    not_counted: list[str]
    """Submissions whose grading ended in error or that could not be read."""
    no_timestamp: list[str]
    """Submissions a late rule could not be applied to: no time they were submitted."""


def gradebook_rows(
    reports: Mapping[str, ScoreReport],
    roster: Sequence[RosterEntry] | None,
    *,
    rule: LateRule | None = None,
    submitted: Mapping[str, datetime] | None = None,
) -> Gradebook:
    """Join the batch's reports (by submission id) with the roster (every submission, in id
    order, when there is none). ``submitted``: when each submission came in, where the roster
    has no ``submitted_at``."""
    submitted = dict(submitted or {})
    entries = list(roster) if roster is not None else [RosterEntry(s, {}) for s in sorted(reports)]
    listed = {e.submission for e in entries}
    unmatched = sorted(set(reports) - listed)
    if roster is not None:
        entries += [RosterEntry(s, {}) for s in unmatched]
    exercises: dict[str, Decimal] = {}
    for report in reports.values():
        for row in report.exercises:
            exercises.setdefault(row.name, points(row.max_score))
    rows, no_timestamp = [], []
    for entry in entries:
        report = reports.get(entry.submission) if entry.submission else None
        if report is None:
            rows.append(GradebookRow(entry.submission, entry.identity, "missing"))
            continue
        row = GradebookRow(
            entry.submission,
            entry.identity,
            grading_status(report),
            score=points(report.score),
            max_score=points(report.max_score),
            exercises={e.name: points(e.score) for e in report.exercises},
        )
        if rule is not None:
            when = entry.get("submitted_at")
            moment = (
                parse_datetime(when, f"roster, submission {entry.submission}")
                if when
                else submitted.get(entry.submission)
            )
            if moment is None:
                no_timestamp.append(entry.submission)
            else:
                row.days_late = rule.days_late(moment)
                row.penalty = rule.penalty(row.days_late, row.score, row.max_score)
        rows.append(row)
    top = max((points(r.max_score) for r in reports.values()), default=Decimal(0))
    not_counted = sorted(r.submission for r in rows if r.score is not None and not r.counted)
    return Gradebook(rows, exercises, top, unmatched, not_counted, no_timestamp)


def _cell(value: Decimal | None) -> str:
    return "" if value is None else points_text(value)


def _scores(
    book: Gradebook, row: GradebookRow, assignment: str, per_exercise: bool, missing: str
) -> dict[str, str]:
    """The score columns of an LMS file: the assignment's points after the penalty (or each
    exercise's points), and the penalty, its own column."""
    empty = "0" if missing == "zero" and row.status == "missing" else ""
    if per_exercise:
        cells = {
            f"{assignment}: {name}": _cell(row.exercises.get(name)) if row.counted else empty
            for name in book.exercises
        }
    else:
        cells = {assignment: _cell(row.final) if row.counted else empty}
    cells[say("platform.late_penalty_column")] = _cell(row.penalty) if row.counted else ""
    return cells


def _write(header: Sequence[str], rows: Iterable[Sequence[str]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return buffer.getvalue()


def _lms_rows(book: Gradebook) -> list[GradebookRow]:
    """The rows an LMS can match: the roster's, not the unmatched submissions."""
    return [r for r in book.rows if r.submission not in book.unmatched]


def canvas_csv(
    book: Gradebook, *, assignment: str, per_exercise: bool = False, missing: str = "empty"
) -> str:
    """Canvas's gradebook import: its identity columns (Student, ID, SIS User ID, SIS Login
    ID, Section: Canvas matches a row by ID, SIS User ID or SIS Login ID), one column per
    assignment (or per exercise), the late penalty, and the Points Possible row."""
    rows = [
        [
            r.identity.get("name", ""),
            r.identity.get("canvas_id", ""),
            r.identity.get("sis_user_id", ""),
            r.identity.get("sis_login_id", ""),
            r.identity.get("section", ""),
            *_scores(book, r, assignment, per_exercise, missing).values(),
        ]
        for r in _lms_rows(book)
    ]
    columns = list(
        _scores(book, GradebookRow("", {}, "missing"), assignment, per_exercise, missing)
    )
    possible = (
        [points_text(m) for m in book.exercises.values()]
        if per_exercise
        else [points_text(book.max_score)]
    )
    points_row = [CANVAS_POINTS_ROW, "", "", "", "", *possible, ""]
    return _write([*CANVAS_IDENTITY, *columns], [points_row, *rows])


def moodle_csv(
    book: Gradebook, *, assignment: str, per_exercise: bool = False, missing: str = "empty"
) -> str:
    """Moodle's grade import (Grades > Import > CSV file): ID number and Email address (map
    either to the user's field of that name), a column per grade item, the late penalty."""
    rows = [
        [
            r.identity.get("id_number", ""),
            r.identity.get("email", ""),
            *_scores(book, r, assignment, per_exercise, missing).values(),
        ]
        for r in _lms_rows(book)
    ]
    columns = list(
        _scores(book, GradebookRow("", {}, "missing"), assignment, per_exercise, missing)
    )
    return _write(["ID number", "Email address", *columns], rows)


def plain_csv(book: Gradebook, *, missing: str = "empty") -> str:
    """Every row, unmatched submissions included: the roster's identities, the points before
    and after the penalty, days late, status and each exercise's points."""
    identity = [c for c in ROSTER_COLUMNS if c not in ("submission", "submitted_at")]
    used = [c for c in identity if any(r.identity.get(c) for r in book.rows)]
    header = ["submission", *used, "score", "late_days", "late_penalty", "total", "max"]
    header += [*book.exercises, "status"]
    empty = "0" if missing == "zero" else ""
    rows = []
    for r in book.rows:
        known = r.score is not None
        rows.append(
            [
                r.submission,
                *(r.identity.get(c, "") for c in used),
                _cell(r.score) if known else empty,
                "" if r.days_late is None else str(r.days_late),
                _cell(r.penalty) if known else "",
                _cell(r.final) if known else empty,
                _cell(r.max_score if known else book.max_score),
                *(_cell(r.exercises.get(name)) if known else empty for name in book.exercises),
                r.status,
            ]
        )
    return _write(header, rows)


GRADEBOOK_FORMATS = ("canvas", "moodle", "csv")
