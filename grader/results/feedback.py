"""A student's feedback page, from their score report: what an instructor hands back.

``feedback_markdown`` and ``feedback_html`` give the same content in the batch's language:
the score table, where each exercise's code came from (a notebook's cells graded and left
out, with why: ``source_notes``), each check that did not pass with its feedback and where its
hints are, and the files of the submission the batch did not grade, with why. Hidden checks
are summed in one line unless ``hidden`` (``grader batch --feedback-hidden``) shows them like
the others.
"""

import html
from collections.abc import Mapping

from grader.results.formats import points_text
from grader.results.model import CheckResult, ScoreReport
from grader.results.source_notes import source_lines
from grader.words import say_in

NOT_PASSED = ("failed", "error", "timeout", "not_attempted", "not_run")


def _status(lang: str, test: CheckResult) -> str:
    words = say_in(lang, f"table.status_{test.status}")
    return f"{words}: {test.diagnosis}" if test.diagnosis else words


def _shown(report: ScoreReport, hidden: bool) -> list[CheckResult]:
    return [t for t in report.tests if hidden or not t.hidden]


def _rows(report: ScoreReport, hidden: bool) -> list[tuple[str, str, str]]:
    """Each exercise's name, points and checks passed, over the checks shown."""
    rows = []
    for exercise in report.exercises:
        tests = [t for t in _shown(report, hidden) if t.exercise == exercise.name]
        score = sum(t.score for t in tests)
        maximum = sum(t.max_score for t in tests)
        passed = sum(t.status == "passed" for t in tests)
        rows.append(
            (
                exercise.name,
                f"{points_text(score)} / {points_text(maximum)}",
                f"{passed} / {len(tests)}",
            )
        )
    return rows


def _hidden_line(lang: str, report: ScoreReport, hidden: bool) -> str:
    secret = [t for t in report.tests if t.hidden]
    if hidden or not secret:
        return ""
    return say_in(
        lang,
        "feedback.hidden_summary",
        checks=len(secret),
        passed=sum(t.status == "passed" for t in secret),
        score=points_text(sum(t.score for t in secret)),
        max_score=points_text(sum(t.max_score for t in secret)),
    )


def _ignored(report: ScoreReport) -> list[Mapping[str, str]]:
    if report.ignored:
        return list(report.ignored)
    return list(report.submission.ignored) if report.submission else []


def feedback_markdown(report: ScoreReport, student: str, lang: str, *, hidden: bool = False) -> str:
    total = f"{points_text(report.score)} / {points_text(report.max_score)}"
    lines = [
        f"# {say_in(lang, 'feedback.title', student=student)}",
        "",
        f"**{say_in(lang, 'table.total')}: {total}**",
        "",
        f"| {say_in(lang, 'table.exercise')} | {say_in(lang, 'table.score')} "
        f"| {say_in(lang, 'table.checks')} |",
        "|:--|--:|--:|",
        *(f"| {name} | {score} | {passed} |" for name, score, passed in _rows(report, hidden)),
    ]
    note = _hidden_line(lang, report, hidden)
    if note:
        lines += ["", note]
    sources = source_lines(report, lang)
    if sources:
        heading = say_in(lang, "notebook.sources_heading").removesuffix(":")
        shown = [line.replace("```", "'''") for line in sources]  # cannot end the block
        lines += ["", f"## {heading}", "", "```text", *shown, "```"]
    failing = [t for t in _shown(report, hidden) if t.status in NOT_PASSED]
    if failing:
        lines += ["", f"## {say_in(lang, 'platform.failing_checks', checks=len(failing))}"]
        for test in failing:
            lines += ["", f"### {test.exercise}/{test.name}: {_status(lang, test)}", ""]
            lines += ["```text", test.message.replace("```", "'''"), "```"]
            if test.status in ("failed", "error"):
                lines.append(say_in(lang, "table.see_hint", exercise=test.exercise))
    ignored = _ignored(report)
    if ignored:
        lines += ["", f"## {say_in(lang, 'feedback.ignored')}", ""]
        lines += [f"- `{item['path']}`: {item['reason']}" for item in ignored]
    return "\n".join(lines) + "\n"


STYLE = (
    "body{font-family:system-ui,sans-serif;max-width:52rem;margin:2rem auto;padding:0 1rem}"
    "table{border-collapse:collapse}td,th{border:1px solid #999;padding:.2rem .6rem}"
    "td.n{text-align:right}pre{background:#f4f4f4;padding:.6rem;white-space:pre-wrap}"
)


def feedback_html(report: ScoreReport, student: str, lang: str, *, hidden: bool = False) -> str:
    """The same page as HTML: self-contained, no script, printable."""

    def e(text: str) -> str:
        return html.escape(str(text))

    total = f"{points_text(report.score)} / {points_text(report.max_score)}"
    title = say_in(lang, "feedback.title", student=student)
    parts = [
        f'<!DOCTYPE html>\n<html lang="{e(lang)}"><head><meta charset="utf-8">',
        f"<title>{e(title)}</title><style>{STYLE}</style></head><body>",
        f"<h1>{e(title)}</h1>",
        f"<p><strong>{e(say_in(lang, 'table.total'))}: {e(total)}</strong></p>",
        "<table><thead><tr>"
        f"<th>{e(say_in(lang, 'table.exercise'))}</th><th>{e(say_in(lang, 'table.score'))}</th>"
        f"<th>{e(say_in(lang, 'table.checks'))}</th></tr></thead><tbody>",
        *(
            f'<tr><td>{e(name)}</td><td class="n">{e(score)}</td>'
            f'<td class="n">{e(passed)}</td></tr>'
            for name, score, passed in _rows(report, hidden)
        ),
        "</tbody></table>",
    ]
    note = _hidden_line(lang, report, hidden)
    if note:
        parts.append(f"<p>{e(note)}</p>")
    sources = source_lines(report, lang)
    if sources:
        heading = say_in(lang, "notebook.sources_heading").removesuffix(":")
        text = "\n".join(sources)
        parts.append(f"<h2>{e(heading)}</h2><pre>{e(text)}</pre>")
    failing = [t for t in _shown(report, hidden) if t.status in NOT_PASSED]
    if failing:
        parts.append(f"<h2>{e(say_in(lang, 'platform.failing_checks', checks=len(failing)))}</h2>")
        for test in failing:
            parts.append(f"<h3>{e(test.exercise)}/{e(test.name)}: {e(_status(lang, test))}</h3>")
            parts.append(f"<pre>{e(test.message)}</pre>")
            if test.status in ("failed", "error"):
                parts.append(f"<p>{e(say_in(lang, 'table.see_hint', exercise=test.exercise))}</p>")
    ignored = _ignored(report)
    if ignored:
        parts.append(f"<h2>{e(say_in(lang, 'feedback.ignored'))}</h2><ul>")
        parts += [f"<li><code>{e(i['path'])}</code>: {e(i['reason'])}</li>" for i in ignored]
        parts.append("</ul>")
    parts.append("</body></html>\n")
    return "\n".join(parts)
