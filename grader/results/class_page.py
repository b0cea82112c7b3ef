"""The class summary of a batch, ``OUT/summary.html``: one self-contained page.

The score histogram, each check's pass rate, the most common failure messages, counts by
status, and a warning when student code was not isolated as strongly as the grader can isolate
it. Plots are PNG images inside the page (data URIs); all text that comes from a submission is
escaped.
"""

import base64
import io
import re
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from html import escape
from pathlib import Path
from typing import Any

from grader.protocol import LEVELS
from grader.results.model import CHECK_STATUSES, SUBMISSION_STATUSES, ScoreReport

Reports = Sequence[tuple[str, ScoreReport]]
"""Each submission's id and score report (with its ``submission`` object), in id order."""
TOP_MESSAGES = 10
TEMPORARY_PATH = re.compile(re.escape(tempfile.gettempdir()) + r"""[^\s'",)]*""")
"""A path in the judge's temporary folder, different for every student: masked so that the
same mistake is counted as one."""
STYLE = """
body { font-family: system-ui, sans-serif; margin: 2em auto; max-width: 60em; color: #222; }
table { border-collapse: collapse; margin: 1em 0; }
td, th { border: 1px solid #ccc; padding: 0.3em 0.6em; text-align: left; vertical-align: top; }
td.count { text-align: right; }
.warning { background: #fff0d0; border: 3px solid #d08000; padding: 1em; font-size: 1.1em; }
img { max-width: 100%; }
"""


def _status(report: ScoreReport) -> str:
    return report.submission.status if report.submission else "graded"


def graded(reports: Reports) -> Reports:
    """The reports whose checks ran: a submission that could not be read or graded has its
    own line in the list of submissions to look at, not hundreds in the check statistics."""
    return [(student, report) for student, report in reports if _status(report) == "graded"]


def failure_messages(reports: Reports) -> list[tuple[str, int, list[str]]]:
    """The most common reasons checks failed, raised or ran out of time (the diagnosis when
    there is one, else the message's first line, temporary paths masked): each with its count
    and the checks it was given for. Checks not attempted yet or not run are counted by status
    only."""
    counts: Counter[str] = Counter()
    checks: dict[str, set[str]] = {}
    for _, report in reports:
        for test in report.tests:
            if test.status in ("passed", "not_attempted", "not_run"):
                continue
            lines = test.message.strip().splitlines()
            first = TEMPORARY_PATH.sub("<temporary file>", lines[0]) if lines else test.status
            text = test.diagnosis or first
            counts[text] += 1
            checks.setdefault(text, set()).add(f"{test.exercise}/{test.name}")
    top = sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:TOP_MESSAGES]
    return [(text, count, sorted(checks[text])) for text, count in top]


def pass_rates(reports: Reports) -> dict[str, float]:
    """Each check's share of submissions that passed it, in course order; a check of the
    hidden suite is marked ``(hidden)``."""
    passed: dict[str, list[bool]] = {}
    for _, report in reports:
        for test in report.tests:
            label = f"{test.exercise}/{test.name}" + (" (hidden)" if test.hidden else "")
            passed.setdefault(label, []).append(test.status == "passed")
    return {check: sum(results) / len(results) for check, results in passed.items()}


def isolation_warning(reports: Reports) -> str:
    """Why the page must warn about isolation, or an empty string: a report that names a
    level weaker than the strongest, or a graded one that names none."""
    weak: Counter[str] = Counter()
    notes = set()
    for _, report in reports:
        isolation = report.isolation
        if isolation is None and _status(report) != "graded":
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
    total = sum(weak.values())
    return (
        f"Student code was not isolated as strongly as it can be ({LEVELS[0]}) for {total} "
        f"submissions: {levels}. " + " ".join(sorted(notes))
    ).strip()


def _figure(width: float, height: float) -> Any:
    # Only a batch's summary draws: every judge imports the CLI and starts faster without it.
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    figure = Figure(figsize=(width, height), dpi=100)
    FigureCanvasAgg(figure)
    return figure


def _png(figure: Any) -> str:
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight", metadata={"Software": None})
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def score_histogram(reports: Reports) -> str:
    """The histogram of total scores, as a base64 PNG."""
    scores = [report.score for _, report in reports]
    top = max(report.max_score for _, report in reports) or 1
    figure = _figure(7, 3.5)
    axes = figure.add_subplot()
    axes.hist(scores, bins=min(20, max(1, int(top))), range=(0, top), color="#4878a8")
    axes.set_xlabel(f"score (out of {top:g})")
    axes.set_ylabel("submissions")
    axes.yaxis.get_major_locator().set_params(integer=True)
    axes.set_title("Scores")
    return _png(figure)


def pass_rate_chart(rates: Mapping[str, float]) -> str:
    """Each check's pass rate as a horizontal bar, first check on top, as a base64 PNG."""
    figure = _figure(7, 1 + 0.22 * len(rates))
    axes = figure.add_subplot()
    names = list(rates)
    axes.barh(range(len(names)), [100 * rates[n] for n in names], color="#58a058")
    axes.set_yticks(range(len(names)), names, fontsize=8)
    axes.set_ylim(len(names) - 0.5, -0.5)  # the first check on top, no margin
    axes.set_xlim(0, 100)
    axes.set_xlabel("submissions that pass (%)")
    axes.set_title("Pass rate per check")
    return _png(figure)


def _table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    head = "".join(f"<th>{escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f'<td class="count">{cell}</td>'
            if isinstance(cell, int)
            else f"<td>{escape(cell)}</td>"
            for cell in row
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><tr>{head}</tr>{body}</table>"


def summary_html(reports: Reports) -> str:
    """The whole page; ``reports`` must not be empty."""
    scores = [report.score for _, report in reports]
    top = max(report.max_score for _, report in reports)
    submissions = Counter(_status(report) for _, report in reports)
    judged = graded(reports)
    checks = Counter(test.status for _, report in judged for test in report.tests)
    to_look_at = [
        (student, report.submission.status, report.submission.message.partition("\n")[0])
        for student, report in reports
        if report.submission is not None and report.submission.status != "graded"
    ]
    warning = isolation_warning(reports)
    rates = pass_rates(judged)
    messages = failure_messages(judged)
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8"><title>Class summary</title>',
        f"<style>{STYLE}</style></head><body>",
        "<h1>Class summary</h1>",
        f'<p class="warning" role="alert"><strong>Warning:</strong> {escape(warning)}</p>'
        if warning
        else "",
        f"<p>{len(reports)} submissions; mean score {sum(scores) / len(scores):.1f} / {top:g}.</p>",
        "<h2>Counts by status</h2>",
        _table(["submission", "count"], [(s, submissions[s]) for s in SUBMISSION_STATUSES]),
        _table(
            [f"check, over {len(judged)} graded submissions", "count"],
            [(s, checks[s]) for s in CHECK_STATUSES],
        ),
        _table(["not graded", "status", "why"], to_look_at) if to_look_at else "",
        "<h2>Scores</h2>",
        f'<img alt="score histogram" src="data:image/png;base64,{score_histogram(reports)}">',
    ]
    if rates:
        parts += [
            f"<h2>Pass rate per check, over {len(judged)} graded submissions</h2>",
            f'<img alt="pass rate per check" src="data:image/png;base64,{pass_rate_chart(rates)}">',
            "<h2>Most common failure messages</h2>",
            "<p>Checks not attempted yet are counted above only.</p>",
            _table(
                ["diagnosis, else the message's first line", "times", "checks"],
                [(text, count, ", ".join(names)) for text, count, names in messages],
            )
            if messages
            else "<p>No check failed, raised an error or ran out of time.</p>",
        ]
    parts.append("</body></html>")
    return "\n".join(part for part in parts if part) + "\n"


def write_summary(path: Path, reports: Reports) -> None:
    path.write_text(summary_html(reports), encoding="utf-8")
