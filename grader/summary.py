"""The score table printed at the end of a run, derived from the score report."""

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from grader.feedback import say


def next_step(report: Mapping[str, Any], exercise: str) -> str:
    """The first check of ``exercise`` that did not pass, in points-table order, with its
    diagnosis when one was made, and where to find a hint."""
    for test in report["tests"]:
        if test["exercise"] == exercise and test["status"] != "passed":
            what = test.get("diagnosis") or say(f"table.status_{test['status']}")
            step = say("table.next_check", check=test["name"], status=what)
            if test["status"] in ("failed", "error"):
                step += " " + say("table.see_hint", exercise=exercise)
            return step
    return say("table.done")


def score_table(report: Mapping[str, Any]) -> Table:
    table = Table(title=say("table.title"), title_justify="left")
    table.add_column(say("table.exercise"))
    table.add_column(say("table.score"), justify="right")
    table.add_column(say("table.checks"), justify="right")
    table.add_column(say("table.next"))
    for row in report["exercises"]:
        table.add_row(
            row["name"],
            f"{row['score']:g} / {row['max_score']:g}",
            f"{row['passed']} / {row['checks']}",
            next_step(report, row["name"]),
        )
    table.add_section()
    table.add_row(say("table.total"), f"{report['score']:g} / {report['max_score']:g}", "", "")
    return table


def print_score_table(report: Mapping[str, Any], path: Path, width: int = 100) -> None:
    console = Console(width=max(width, 60), highlight=False)
    console.print(score_table(report))
    console.print(say("table.report", path=path))
