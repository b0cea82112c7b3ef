"""The class page of a batch, ``OUT/summary.html``: one self-contained page to act on.

Every student in a table (id linking to ``feedback/<id>.html``, total, each exercise's points,
status, isolation level) that sorts by any column and filters by status; each exercise's
mean and score distribution; each check's pass rate, grouped by exercise and hardest first
within it; the most common diagnoses with the students who got them; counts by status; and a
warning when student code was not isolated as strongly as the grader can isolate it.

Charts are inline SVG, the style and the script are inlined from ``grader/templates/``: the
page needs no network. Without JavaScript the table is plain HTML in id order, every row
shown; the script only adds sorting and the status filter. All text that comes from a
submission is escaped. Every word of the page is in the batch's language (``lang``, the
``class_page`` table of ``messages/<lang>.toml``); the script's own words ride in the page's
``data-`` attributes.
"""

import math
import re
import statistics
import tempfile
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from grader import PACKAGE_DIR
from grader.protocol import LEVELS
from grader.results.formats import grading_status, points_text
from grader.results.model import CHECK_STATUSES, SUBMISSION_STATUSES, ScoreReport
from grader.words import say_in

Reports = Sequence[tuple[str, ScoreReport]]
"""Each submission's id and score report (with its ``submission`` object), in id order."""
TOP_MESSAGES = 10
TEMPORARY_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"""[^\s'",)]*""")
"""A path in the judge's temporary folder, different for every student: masked so that the
same mistake is counted as one."""
TEMPLATES = PACKAGE_DIR / "templates"
FEEDBACK_FOLDER = "feedback"
"""Where each student's feedback page is, beside the class page (``grader batch`` writes it)."""
BANDS = ("none", "under_25", "to_50", "to_75", "to_100", "full")
"""An exercise's score bands, by share of its points (their words: ``class_page.band``):
nothing, under 25%, 25% to 50%, 50% to 75%, 75% to 100%, full marks; each from its lower bound
up to, not including, its upper bound."""
BIN_WIDTHS = (0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100)
"""The widths, in points, the histogram of totals may have: the narrowest that fits."""
MAX_BINS = 20
COLOURS = ("#0072b2", "#d55e00", "#009e73", "#cc79a7", "#e69f00", "#56b4e9", "#555555")
"""One colour per exercise in the pass-rate chart (Okabe and Ito's palette, colour-blind safe)."""


def graded(reports: Reports) -> Reports:
    """The reports whose checks ran: a submission that could not be read or graded has its
    own line in the list of submissions to look at, not hundreds in the check statistics."""
    return [(student, report) for student, report in reports if grading_status(report) == "graded"]


def feedback_link(student: str) -> str:
    """The link to a student's feedback page, the id as its text."""
    return f'<a href="{FEEDBACK_FOLDER}/{quote(student)}.html">{escape(student)}</a>'


@dataclass(frozen=True)
class Mistake:
    """One reason checks did not pass, as the class page counts it."""

    text: str
    """The diagnosis when there is one, else the message's first line."""
    count: int
    checks: tuple[str, ...]
    students: tuple[str, ...]


def failure_messages(reports: Reports, lang: str = "en") -> list[Mistake]:
    """The most common reasons checks failed, raised or ran out of time (the diagnosis when
    there is one, else the message's first line, temporary paths masked): each with its count,
    the checks it was given for and the students who got it. Checks not attempted yet or not
    run are counted by status only."""
    masked = say_in(lang, "class_page.temporary_file")
    counts: Counter[str] = Counter()
    checks: dict[str, set[str]] = {}
    students: dict[str, set[str]] = {}
    for student, report in reports:
        for test in report.tests:
            if test.status in ("passed", "not_attempted", "not_run"):
                continue
            lines = test.message.strip().splitlines()
            first = TEMPORARY_PATH.sub(masked, lines[0]) if lines else test.status
            text = test.diagnosis or first
            counts[text] += 1
            checks.setdefault(text, set()).add(f"{test.exercise}/{test.name}")
            students.setdefault(text, set()).add(student)
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_MESSAGES]
    return [
        Mistake(text, count, tuple(sorted(checks[text])), tuple(sorted(students[text])))
        for text, count in top
    ]


@dataclass(frozen=True)
class CheckRate:
    """How many submissions passed one check."""

    check: str
    """``<check>``, marked as hidden (``table.hidden_check``) for a check of the hidden
    suite."""
    passed: int
    total: int

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def pass_rates(reports: Reports, lang: str = "en") -> dict[str, list[CheckRate]]:
    """Each exercise's checks with their pass rates, exercises in course order and each one's
    checks hardest first (lowest pass rate; ties in points-table order)."""
    passed: dict[str, dict[str, list[bool]]] = {}
    for _, report in reports:
        for test in report.tests:
            label = (
                say_in(lang, "table.hidden_check", check=test.name) if test.hidden else test.name
            )
            checks = passed.setdefault(test.exercise, {})
            checks.setdefault(label, []).append(test.status == "passed")
    return {
        exercise: sorted(
            (CheckRate(check, sum(results), len(results)) for check, results in checks.items()),
            key=lambda rate: rate.rate,
        )
        for exercise, checks in passed.items()
    }


def isolation_warning(reports: Reports, lang: str = "en") -> str:
    """Why the page must warn about isolation, or an empty string: a report that names a
    level weaker than the strongest, or a graded one that names none."""
    weak: Counter[str] = Counter()
    notes = set()
    for _, report in reports:
        isolation = report.isolation
        if isolation is None and grading_status(report) != "graded":
            continue  # no judge finished: nothing is known, nor claimed, about its isolation
        isolation = isolation or {}
        level = isolation.get("level", "not recorded")
        if level != LEVELS[0]:
            weak[level] += 1
            if isolation.get("note"):
                notes.add(str(isolation["note"]))
    if not weak:
        return ""
    levels = ", ".join(f"{level} ({count})" for level, count in sorted(weak.items()))
    warning = say_in(
        lang,
        "class_page.weak_isolation",
        strongest=LEVELS[0],
        count=sum(weak.values()),
        levels=levels,
    )
    return " ".join([warning, *sorted(notes)])


def exercise_maxima(reports: Reports) -> dict[str, float]:
    """Each exercise's maximum points, in course order, over all the reports."""
    maxima: dict[str, float] = {}
    for _, report in reports:
        for exercise in report.exercises:
            maxima.setdefault(exercise.name, exercise.max_score)
    return maxima


def band_of(score: float, maximum: float) -> int:
    """The index in ``BANDS`` of a score out of ``maximum``."""
    if score <= 0 or maximum <= 0:
        return 0
    if score >= maximum:
        return len(BANDS) - 1
    return 1 + min(3, int(4 * score / maximum))


def bin_width(top: float) -> float:
    """The narrowest of ``BIN_WIDTHS`` that covers ``[0, top]`` in at most ``MAX_BINS`` bins."""
    fits = [width for width in BIN_WIDTHS if math.ceil(top / width) <= MAX_BINS]
    return fits[0] if fits else top / MAX_BINS


def histogram(values: Sequence[float], width: float, bins: int) -> list[int]:
    """Counts of ``values`` in the bins ``[i * width, (i + 1) * width)``, ``i < bins``; the
    last bin also holds what is above it (full marks at its upper edge)."""
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, max(0, int(value // width)))] += 1
    return counts


def bars_svg(
    counts: Sequence[int],
    labels: Sequence[str],
    *,
    width: int,
    height: int,
    edges: Sequence[str] = (),
) -> str:
    """A bar chart of ``counts`` as inline SVG, bar ``i`` named ``labels[i]`` in its tooltip.
    With ``edges`` (the ``len(counts) + 1`` bin edges' labels) it also has an axis with them
    under it and each bar's count above it; without, it is a bare sparkline."""
    axis = 16 if edges else 0
    top_room = 12 if edges else 0
    tallest = max(counts, default=0) or 1
    step = width / len(counts)
    plot = height - axis - top_room
    parts = []
    for i, (count, label) in enumerate(zip(counts, labels, strict=True)):
        tall = plot * count / tallest
        x, y = i * step, height - axis - tall
        parts.append(
            f'<rect x="{x + 1:.1f}" y="{y:.1f}" width="{max(step - 2, 1):.1f}" '
            f'height="{tall:.1f}" fill="#4878a8"><title>{escape(label)}: {count}</title></rect>'
        )
        if edges and count:
            parts.append(
                f'<text x="{x + step / 2:.1f}" y="{y - 2:.1f}" font-size="10" '
                f'text-anchor="middle">{count}</text>'
            )
    base = height - axis
    parts.append(f'<line x1="0" y1="{base}" x2="{width}" y2="{base}" stroke="#888"/>')
    if edges:
        for i, edge in enumerate(edges):
            anchor = "start" if i == 0 else "end" if i == len(counts) else "middle"
            parts.append(
                f'<text x="{i * step:.1f}" y="{height - 3}" font-size="10" '
                f'text-anchor="{anchor}">{escape(edge)}</text>'
            )
    summary = "; ".join(f"{label}: {count}" for label, count in zip(labels, counts, strict=True))
    return (
        f'<svg role="img" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
        f'aria-label="{escape(summary)}">{"".join(parts)}</svg>'
    )


def score_histogram(reports: Reports, lang: str = "en") -> str:
    """The histogram of total scores, as inline SVG with an axis and a caption."""
    scores = [report.score for _, report in reports]
    top = max(report.max_score for _, report in reports)
    width = bin_width(top) if top > 0 else 1
    bins = max(1, math.ceil(top / width))
    edges = [points_text(i * width) for i in range(bins + 1)]
    labels = [say_in(lang, "class_page.bin", low=edges[i], high=edges[i + 1]) for i in range(bins)]
    chart = bars_svg(histogram(scores, width, bins), labels, width=600, height=130, edges=edges)
    caption = say_in(lang, "class_page.histogram", top=points_text(top), width=points_text(width))
    return f"<figure>{chart}<figcaption>{escape(caption)}</figcaption></figure>"


class Markup(str):
    """HTML the page built itself: a table cell shows it as it is."""


class Figure(str):
    """A number already written as text (``71%``): a table cell aligns it as a number."""


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    """A plain table: numbers right-aligned, text escaped, ``Markup`` cells as they are."""
    head = "".join(f'<th scope="col">{escape(h)}</th>' for h in header)
    body = "".join("<tr>" + "".join(_cell(cell) for cell in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _cell(cell: object) -> str:
    if isinstance(cell, Markup):
        return f"<td>{cell}</td>"
    if isinstance(cell, Figure):
        return f'<td class="n">{escape(cell)}</td>'
    if isinstance(cell, int | float):
        return f'<td class="n">{points_text(cell)}</td>'
    return f"<td>{escape(str(cell))}</td>"


def _student_row(student: str, report: ScoreReport, exercises: Sequence[str], lang: str) -> str:
    status = grading_status(report)
    level = (report.isolation or {}).get("level", "")
    scores = {exercise.name: exercise.score for exercise in report.exercises}
    cells = [
        f"<td>{feedback_link(student)}</td>",
        f'<td class="n" data-value="{report.score!r}">{points_text(report.score)}</td>',
        *(
            f'<td class="n" data-value="{scores[name]!r}">{points_text(scores[name])}</td>'
            if name in scores
            else '<td class="n" data-value="">-</td>'
            for name in exercises
        ),
        f'<td class="status">{escape(say_in(lang, f"class_page.submission_status.{status}"))}</td>',
        f"<td>{escape(str(level) or say_in(lang, 'class_page.not_recorded'))}</td>",
    ]
    return (
        f'<tr class="status-{escape(status)}" data-status="{escape(status)}">{"".join(cells)}</tr>'
    )


def student_table(reports: Reports, lang: str = "en") -> str:
    """Every student's row; the script sorts it and filters it by status, its words in the
    ``data-shown`` and ``data-sort`` attributes of the table."""

    def say(key: str, **fields: object) -> str:
        return escape(say_in(lang, f"class_page.{key}", **fields))

    maxima = exercise_maxima(reports)
    top = max(report.max_score for _, report in reports)
    present = Counter(grading_status(report) for _, report in reports)
    boxes = "".join(
        f'<label><input type="checkbox" value="{escape(status)}" checked> '
        f"{say(f'submission_status.{status}')} ({present[status]})</label>"
        for status in SUBMISSION_STATUSES
        if present[status]
    )
    headers = [
        f'<th scope="col">{say("id")}</th>',
        f'<th scope="col" class="n" data-type="number">{say("total")} / {points_text(top)}</th>',
        *(
            f'<th scope="col" class="n" data-type="number">{escape(name)} / '
            f"{points_text(maximum)}</th>"
            for name, maximum in maxima.items()
        ),
        f'<th scope="col">{say("status")}</th>',
        f'<th scope="col">{say("isolation")}</th>',
    ]
    rows = "\n".join(
        _student_row(student, report, list(maxima), lang) for student, report in reports
    )
    words = (
        f'data-shown="{say("shown", shown="{shown}", count="{count}")}" data-sort="{say("sort")}"'
    )
    return (
        f'<p class="note">{say("links_note")}</p>'
        f'<fieldset id="filters" hidden><legend>{say("filter_legend")}</legend>{boxes}</fieldset>'
        f'<p id="shown" class="note" aria-live="polite">{say("in_id_order", count=len(reports))}'
        f'</p><div class="scroll"><table id="student-table" {words}><thead><tr>'
        f"{''.join(headers)}</tr></thead><tbody>\n{rows}\n</tbody></table></div>"
    )


def exercise_table(reports: Reports, lang: str = "en") -> str:
    """Each exercise's mean and median points and how many submissions are in each band."""
    bands = [say_in(lang, f"class_page.band.{band}") for band in BANDS]
    rows = []
    for name, maximum in exercise_maxima(reports).items():
        scores = [e.score for _, r in reports for e in r.exercises if e.name == name]
        counts = [0] * len(BANDS)
        for score in scores:
            counts[band_of(score, maximum)] += 1
        mean = statistics.fmean(scores) if scores else 0.0
        share = Figure(f"{100 * mean / maximum:.0f}%" if maximum else "-")
        chart = bars_svg(counts, bands, width=120, height=28)
        median = statistics.median(scores) if scores else 0
        rows.append([name, maximum, round(mean, 2), share, median, *counts, Markup(chart)])
    columns = ("exercise", "points", "mean", "mean_share", "median")
    header = [*(say_in(lang, f"class_page.{c}") for c in columns), *bands]
    return _table([*header, say_in(lang, "class_page.distribution")], rows)


def rate_chart(rates: dict[str, list[CheckRate]], lang: str = "en") -> str:
    """The pass-rate chart: a row group per exercise, its checks hardest first, each with a
    bar in the exercise's colour and its rate as text."""
    groups = []
    for i, (exercise, checks) in enumerate(rates.items()):
        colour = COLOURS[i % len(COLOURS)]
        passed = sum(c.passed for c in checks)
        total = sum(c.total for c in checks)
        mean = f"{100 * passed / total:.0f}%" if total else "-"
        group = say_in(lang, "class_page.rate_group", exercise=exercise, share=mean)
        rows = [f'<tr><th scope="rowgroup" colspan="3">{escape(group)}</th></tr>']
        for check in checks:
            bar = (
                '<svg role="img" width="300" height="14" viewBox="0 0 100 14" '
                f'preserveAspectRatio="none" aria-label="{100 * check.rate:.0f}%">'
                '<rect width="100" height="14" fill="#eeeeee"/>'
                f'<rect width="{100 * check.rate:.1f}" height="14" fill="{colour}"/></svg>'
            )
            rows.append(
                f'<tr><td>{escape(check.check)}</td><td class="bar">{bar}</td>'
                f'<td class="n">{100 * check.rate:.0f}% ({check.passed} / {check.total})</td></tr>'
            )
        groups.append(f"<tbody>{''.join(rows)}</tbody>")
    check, rate, passed = (
        escape(say_in(lang, f"class_page.{key}")) for key in ("check", "pass_rate", "passed")
    )
    head = (
        f'<thead><tr><th scope="col">{check}</th><th scope="col">{rate}</th>'
        f'<th scope="col" class="n">{passed}</th></tr></thead>'
    )
    return f'<table class="rates">{head}{"".join(groups)}</table>'


def mistakes_table(messages: Sequence[Mistake], lang: str = "en") -> str:
    """The most common diagnoses, each with the checks and the students (linked) it was for."""
    rows = [
        [
            mistake.text,
            mistake.count,
            ", ".join(mistake.checks),
            Markup(
                '<span class="students-list">'
                + ", ".join(feedback_link(s) for s in mistake.students)
                + "</span>"
            ),
        ]
        for mistake in messages
    ]
    columns = ("diagnosis", "times", "check", "students_column")
    return _table([say_in(lang, f"class_page.{c}") for c in columns], rows)


def status_tables(reports: Reports, lang: str = "en") -> str:
    """Counts of submissions and checks by status, and the submissions to look at."""
    submissions = Counter(grading_status(report) for _, report in reports)
    judged = graded(reports)
    checks = Counter(test.status for _, report in judged for test in report.tests)

    def say(key: str, **fields: object) -> str:
        return say_in(lang, f"class_page.{key}", **fields)

    to_look_at = [
        (
            Markup(feedback_link(student)),
            say(f"submission_status.{grading_status(report)}"),
            report.submission.message.split("\n")[0],
        )
        for student, report in reports
        if report.submission is not None and grading_status(report) != "graded"
    ]
    parts = [
        _table(
            [say("submission"), say("count")],
            [(say(f"submission_status.{s}"), submissions[s]) for s in SUBMISSION_STATUSES],
        ),
        _table(
            [say("checks_over", count=len(judged)), say("count")],
            [(say(f"check_status.{s}"), checks[s]) for s in CHECK_STATUSES],
        ),
    ]
    if to_look_at:
        header = [say("id"), say("status"), say("why")]
        parts += [f"<h3>{escape(say('to_look_at'))}</h3>", _table(header, to_look_at)]
    return "".join(parts)


SECTIONS = ("students", "exercises", "checks", "mistakes", "statuses")
"""The page's sections, in order: each one's anchor and the key of its heading."""


def _section(anchor: str, heading: str, *body: str) -> str:
    return f'<section id="{anchor}"><h2>{escape(heading)}</h2>{"".join(body)}</section>'


def summary_html(reports: Reports, lang: str = "en") -> str:
    """The whole page, in ``lang``; ``reports`` must not be empty."""

    def say(key: str, **fields: object) -> str:
        return say_in(lang, f"class_page.{key}", **fields)

    def note(key: str) -> str:
        return f'<p class="note">{escape(say(key))}</p>'

    def over(key: str) -> str:
        return say("over_graded", heading=say(key), count=len(judged))

    scores = [report.score for _, report in reports]
    top = max(report.max_score for _, report in reports)
    judged = graded(reports)
    warning = isolation_warning(reports, lang)
    messages = failure_messages(judged, lang)
    nothing = f"<p>{escape(say('none_graded'))}</p>"
    nav = "".join(f'<li><a href="#{anchor}">{escape(say(anchor))}</a></li>' for anchor in SECTIONS)
    style = (TEMPLATES / "class_page.css").read_text(encoding="utf-8")
    script = (TEMPLATES / "class_page.js").read_text(encoding="utf-8")
    overview = say(
        "overview",
        count=len(reports),
        mean=f"{statistics.fmean(scores):.1f}",
        top=points_text(top),
        median=points_text(statistics.median(scores)),
    )
    parts = [
        "<!DOCTYPE html>",
        f'<html lang="{escape(lang)}"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{escape(say('title'))}</title><style>{style}</style></head><body>",
        f"<h1>{escape(say('title'))}</h1>",
        f'<p class="warning" role="alert"><strong>{escape(say("warning"))}</strong> '
        f"{escape(warning)}</p>"
        if warning
        else "",
        f"<p>{escape(overview)}</p>",
        f'<nav aria-label="{escape(say("sections"))}"><ul>{nav}</ul></nav>',
        _section(
            "students",
            say("students"),
            score_histogram(reports, lang),
            student_table(reports, lang),
        ),
        _section(
            "exercises",
            over("exercises"),
            note("bands_note"),
            exercise_table(judged, lang) if judged else nothing,
        ),
        _section(
            "checks",
            over("checks"),
            note("rates_note"),
            rate_chart(pass_rates(judged, lang), lang) if judged else nothing,
        ),
        _section(
            "mistakes",
            say("mistakes"),
            note("mistakes_note"),
            mistakes_table(messages, lang) if messages else f"<p>{escape(say('no_mistakes'))}</p>",
        ),
        _section("statuses", say("statuses"), status_tables(reports, lang)),
        f"<script>{script}</script>",
        "</body></html>",
    ]
    return "\n".join(part for part in parts if part) + "\n"


def write_summary(path: Path, reports: Reports, lang: str = "en") -> None:
    """The class page of ``reports`` at ``path``, in ``lang``."""
    path.write_text(summary_html(reports, lang), encoding="utf-8")
