"""What ``grader.check(...)`` shows in a notebook: the score table and each failing check's
message, as HTML where the front end shows it (``_repr_html_``) and as text otherwise."""

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from grader.results.formats import points_text
from grader.results.model import ScoreReport
from grader.words import say_in


@dataclass
class CheckView:
    """The result of one ``grader.check``: a score report, or why there is none."""

    report: ScoreReport | None
    lang: str
    missing: Sequence[str] = ()
    """Exercises asked for that the kernel defines nothing of."""
    names: Mapping[str, str] = field(default_factory=dict)
    """Each exercise's functions and classes, for the message about a missing one."""
    stopped: float | None = None
    """Seconds after which the checks were stopped, if they were."""
    output: str = ""
    """The end of the checks' output, when they wrote no score report."""

    @property
    def score(self) -> float:
        return float(self.report.score) if self.report else 0.0

    @property
    def max_score(self) -> float:
        return float(self.report.max_score) if self.report else 0.0

    def _say(self, key: str, **fields: Any) -> str:
        return say_in(self.lang, key, **fields)

    def notes(self) -> list[str]:
        """Sentences said before the table: exercises with nothing defined, a stopped run."""
        found = [
            self._say("check.nothing_defined", exercise=name, names=self.names.get(name, ""))
            for name in self.missing
        ]
        if self.stopped is not None:
            found.append(self._say("check.stopped", seconds=self.stopped))
        if self.report is None and self.output:
            found.append(self._say("check.no_report", output=self.output))
        return found

    def rows(self) -> list[tuple[str, str, str]]:
        """Exercise, score and checks passed, then the total."""
        if not self.report:
            return []
        rows = [
            (
                e.name,
                f"{points_text(e.score)} / {points_text(e.max_score)}",
                f"{e.passed} / {len(e.checks)}",
            )
            for e in self.report.exercises
        ]
        total = f"{points_text(self.score)} / {points_text(self.max_score)}"
        return [*rows, (self._say("table.total"), total, "")]

    def failures(self) -> list[tuple[str, str, str]]:
        """Each check that did not pass: its exercise and name, its status, its message."""
        if not self.report:
            return []
        return [
            (
                f"{t.exercise}: {t.name}",
                t.diagnosis or self._say(f"table.status_{t.status}"),
                t.message,
            )
            for t in self.report.tests
            if t.status != "passed"
        ]

    def __repr__(self) -> str:
        lines = list(self.notes())
        if self.report:
            lines.append(self._say("table.title"))
            lines += [
                f"  {name}  {score}  {checks}".rstrip() for name, score, checks in self.rows()
            ]
        for check, status, message in self.failures():
            lines += ["", f"{check} ({status})", *(f"  {line}" for line in message.splitlines())]
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        e = html.escape
        parts = [f"<p>{e(note)}</p>" for note in self.notes()]
        if self.report:
            head = "".join(
                f"<th>{e(self._say(k))}</th>"
                for k in ("table.exercise", "table.score", "table.checks")
            )
            body = "".join(
                "<tr>" + "".join(f"<td>{e(cell)}</td>" for cell in row) + "</tr>"
                for row in self.rows()
            )
            title = e(self._say("table.title"))
            parts.append(f"<table><caption>{title}</caption><tr>{head}</tr>{body}</table>")
        for check, status, message in self.failures():
            parts.append(
                f"<details open><summary><b>{e(check)}</b>: {e(status)}</summary>"
                f"<pre>{e(message)}</pre></details>"
            )
        return '<div class="grader-check">' + "".join(parts) + "</div>"
