"""The small class the shard tests grade (as one batch, as shards, on a real Slurm), and what of
a batch's output two ways of grading it must share."""

import csv
import json
import os
import re
import subprocess
import sys
import tomllib
import zipfile
from collections.abc import Collection
from pathlib import Path
from typing import Any

from kit import EXERCISES, ROOT, SOLUTIONS, corpus
from notebooks import build

ONLY = "ex01_activations"
ACTIVATIONS = Path(ONLY) / "activations.py"
HOSTILE = Path(__file__).resolve().parent / "hostile"
HOSTILE_STUDENTS = {"ivan": "exit_at_import", "judy": "read_solutions"}
"""Students whose submission is an entry of ``tests/hostile/``: one leaves its process while it
is imported, one looks for the reference solution everywhere it might be."""


def grader(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m grader ARGS`` in this environment, with ``env`` added to it."""
    return subprocess.run(
        [sys.executable, "-m", "grader", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env={**os.environ, **(env or {})},
        cwd=cwd,
    )


def hostile_scores() -> dict[str, tuple[int, int]]:
    """Each hostile student's least and most points on ``ONLY``, as the manifest gives them."""
    with (HOSTILE / "manifest.toml").open("rb") as manifest:
        entries = tomllib.load(manifest)
    return {
        student: (entries[entry]["min_score"], entries[entry]["max_score"])
        for student, entry in HOSTILE_STUDENTS.items()
    }


def _hostile(entry: str) -> bytes:
    """The entry's fragment after the reference solution, its ``@@KIT@@`` filled in."""
    fragment = (HOSTILE / entry / ACTIVATIONS).read_text(encoding="utf-8")
    return (
        (SOLUTIONS / ACTIVATIONS).read_bytes()
        + b"\n\n"
        + fragment.replace("@@KIT@@", str(ROOT)).encode()
    )


def small_class(root: Path, hostile: Collection[str] = tuple(HOSTILE_STUDENTS)) -> Path:
    """Nine NumPy-only submissions: right, stub, wrong, a zip, an unreadable zip, empty, a
    Colab notebook, and the ``hostile`` ones of ``HOSTILE_STUDENTS``."""
    solution = (SOLUTIONS / ACTIVATIONS).read_bytes()
    wrong = [e for e in corpus("wrong") if e.exercise == ONLY]
    members = {
        "alice": solution,
        "bob": (EXERCISES / ACTIVATIONS).read_bytes(),
        "carol": solution + b"\n\n" + wrong[0].path.read_bytes(),
        **{student: _hostile(HOSTILE_STUDENTS[student]) for student in hostile},
    }
    for student, content in members.items():
        (root / student / ACTIVATIONS).parent.mkdir(parents=True)
        (root / student / ACTIVATIONS).write_bytes(content)
    with zipfile.ZipFile(root / "erin.zip", "w") as zipped:
        zipped.writestr(ACTIVATIONS.as_posix(), solution)
    (root / "frank.zip").write_bytes(b"PK\x03\x04 not a zip")
    build.write(build.colab(build.definitions(build.ACTIVATIONS)), root / "hana" / "Lab1.ipynb")
    (root / "grace").mkdir()
    return root


def comparable(out: Path) -> dict[str, Any]:
    """A batch's files, durations left out: the gradebook, reports, summary, feedback pages."""
    reports = {}
    for path in sorted(out.glob("*.json")):
        report = json.loads(path.read_text(encoding="utf-8"))
        for test in report["tests"]:
            test["duration"] = 0
        for layer in report.get("isolation", {}).get("layers", []):  # a run's uid is its own
            layer["reason"] = re.sub(r"uid \d+", "uid N", layer["reason"])
        reports[path.name] = report
    pages = {p.name: p.read_bytes() for p in sorted((out / "feedback").iterdir())}
    return {
        "gradebook": (out / "gradebook.csv").read_bytes(),
        "summary": (out / "summary.html").read_bytes(),
        "reports": reports,
        "pages": pages,
    }


def scores(out: Path) -> dict[str, tuple[str, str, str]]:
    """Each student's total, most points and status in ``out/gradebook.csv``."""
    with (out / "gradebook.csv").open(encoding="utf-8", newline="") as gradebook:
        return {
            row["id"]: (row["total"], row["max"], row["status"])
            for row in csv.DictReader(gradebook)
        }


def full_marks(graded: dict[str, tuple[str, str, str]]) -> set[str]:
    """The students of ``scores(out)`` with every point."""
    return {student for student, (total, most, _) in graded.items() if total == most}
