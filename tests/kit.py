"""Helpers for the kit's own tests: building submissions and grading them in a child process."""

import json
import os
import shutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from grader.catalog import exercise
from grader.isolation.fork_server import running
from grader.isolation.launch import ADDRESS_VARIABLE
from grader.results.model import ScoreReport

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
EXERCISES = ROOT / "exercises"
CORPUS = Path(__file__).resolve().parent / "corpus"


@dataclass(frozen=True)
class CorpusEntry:
    """One realistic implementation: an exercise's reference solution with some definitions
    replaced, and what grading it must find."""

    path: Path
    exercise: str
    fails: frozenset[str]
    diagnosis: str
    status: str

    @property
    def id(self) -> str:
        return self.path.stem

    @classmethod
    def read(cls, path: Path) -> "CorpusEntry":
        fields: dict[str, str] = {}
        for line in path.read_text(encoding="utf-8").splitlines():
            key, sep, value = line.partition(": ")
            if sep and key in ("fails", "diagnosis", "status"):
                fields[key] = value.strip()
        fails = frozenset(f.strip() for f in fields.get("fails", "").split(",") if f.strip())
        return cls(
            path,
            path.stem.split("__")[0],
            fails,
            fields.get("diagnosis", ""),
            fields.get("status", "failed"),
        )


def corpus(kind: str) -> list[CorpusEntry]:
    return [CorpusEntry.read(p) for p in sorted((CORPUS / kind).glob("*.py"))]


def submission_with(entry: CorpusEntry, folder: Path) -> Path:
    """The reference solutions, with ``entry``'s definitions appended to its exercise's module."""
    shutil.copytree(SOLUTIONS, folder)
    module = folder / exercise(entry.exercise).relative_path
    module.write_text(
        module.read_text(encoding="utf-8") + "\n\n" + entry.path.read_text(encoding="utf-8"),
        encoding="utf-8",
    )
    return folder


def grade(
    folder: Path, report: Path | None = None, *extra: str, env: dict[str, str] | None = None
) -> dict[str, Any]:
    """``grader grade folder`` in a child process; its score report. ``env``: the child's
    environment (``grade_all`` names a fork server in it), else this process's."""
    report = report or folder.parent / f"{folder.name}.json"
    command = [sys.executable, "-m", "grader", "grade", str(folder), "--json", str(report)]
    done = subprocess.run(
        [*command, "--quiet", *extra],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        env=env,
    )
    if done.returncode != 0 or not report.exists():
        raise AssertionError(
            f"grader grade failed ({done.returncode}):\n{done.stdout}{done.stderr}"
        )
    return json.loads(report.read_text(encoding="utf-8"))


Job = tuple[Path, str] | tuple[Path, str, frozenset[str]]
"""A submission folder, the exercise to grade in it, and (if given) the only checks to run."""


def grade_all(jobs: list[Job], *extra: str) -> list[dict[str, Any]]:
    """Grade each job's exercise only (and only its checks, when it names some), two at a
    time; ``extra`` are more options for ``grader grade`` (``--lang=ko``). The students'
    processes are forked from one fork server that imported TensorFlow once for all the jobs,
    as ``grader batch`` does for a class; the spawned path (a student's laptop, a Gradescope
    container) has tests of its own."""

    def one(job: Job) -> dict[str, Any]:
        checks = [f"--checks={','.join(sorted(job[2]))}"] if len(job) > 2 and job[2] else []
        return grade(job[0], None, f"--only={job[1]}", *checks, *extra, env=env)

    with running() as address:
        env = {**os.environ, ADDRESS_VARIABLE: address}
        with ThreadPoolExecutor(max_workers=2) as pool:
            return list(pool.map(one, jobs))


def typed(report: dict[str, Any]) -> ScoreReport:
    """A report read from its JSON form, as the grader's formats take it."""
    return ScoreReport.from_dict(report)


def results(report: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {(t["exercise"], t["name"]): t for t in report["tests"]}
