"""Where each exercise's graded code came from, as lines a student reads: the report's
``sources`` put in words for the platforms' results and the feedback pages.

An exercise's notes come first (graded from a notebook, a ``.py`` that won over one, a stub
passed over), one line each. Then each notebook graded, cell by cell, once for all the
exercises taken from it: a cell that gave some exercise its code says to which and what names,
a cell that gave none says why it was left out (a syntax error, a magic, a cell defining
nothing graded), and under either come the lines and statements left out of it. The notes are
the report's own words (in the language it was graded in); only the framing is said here.
A submission of ``.py`` files alone has nothing to say: no lines.
"""

from collections.abc import Iterable, Mapping
from typing import Any

from grader.results.model import ScoreReport
from grader.words import say_in

INDENT = "  "


def report_sources(report: ScoreReport) -> tuple[Mapping[str, Any], ...]:
    """The report's ``sources``, else its batch record's, else none."""
    if report.sources is not None:
        return report.sources
    if report.submission is not None and report.submission.sources is not None:
        return report.submission.sources
    return ()


def source_lines(report: ScoreReport, lang: str) -> list[str]:
    """What the report says about where each exercise's code came from, line by line (cell
    notes indented); empty when every exercise was a ``.py`` with nothing to note."""
    lines: list[str] = []
    notebooks: dict[str, list[Mapping[str, Any]]] = {}
    for source in report_sources(report):
        lines += [f"{source['exercise']}: {note}" for note in source["notes"]]
        if source["kind"] == "notebook":
            notebooks.setdefault(source["file"], []).append(source)
    for file, sources in notebooks.items():
        lines.append(say_in(lang, "notebook.cells_of", file=file))
        lines += [INDENT + line for line in _cell_lines(sources, lang)]
    return lines


def source_text(report: ScoreReport, lang: str) -> str:
    """``source_lines`` under their heading, as one text; empty when there are none."""
    lines = source_lines(report, lang)
    return "\n".join([say_in(lang, "notebook.sources_heading"), *lines]) if lines else ""


def _cell_lines(sources: list[Mapping[str, Any]], lang: str) -> list[str]:
    """One notebook's code cells, in its order: each one's use, then its notes indented."""
    lines = []
    positions = sorted({cell["cell"] for source in sources for cell in source["cells"]})
    for position in positions:
        uses = [
            (source["exercise"], cell)
            for source in sources
            for cell in source["cells"]
            if cell["cell"] == position
        ]
        taken = [(exercise, cell) for exercise, cell in uses if cell["taken"]]
        if taken:
            given = "; ".join(
                f"{exercise}: {', '.join(cell['names'])}" if cell["names"] else exercise
                for exercise, cell in taken
            )
            lines.append(say_in(lang, "notebook.cell_graded", cell=position, uses=given))
            notes = _unique(note for _, cell in taken for note in cell["notes"])
        else:
            lines.append(say_in(lang, "notebook.cell_left_out", cell=position))
            notes = _unique(note for _, cell in uses for note in cell["notes"])
        lines += [INDENT + note for note in notes]
    return lines


def _unique(notes: Iterable[str]) -> list[str]:
    """``notes`` in order, each once: a cell's own notes repeat in every exercise's list."""
    return list(dict.fromkeys(notes))
