"""CPU fairness between sandboxes: an honest submission's ex06 checks, graded alone, next to an
honest neighbour, and next to a neighbour that starts a dozen busy processes, in one run.

    python bench/cpu_fairness.py [--repeat 1]

Each way is one ``grader batch --workers 2 --only ex06_train_validate``. The neighbour that
hogs is the reference solution whose ``split_and_scale`` first starts 12 processes that spin,
each in a session of its own, then answers as the reference does. The three ways run twice:
as this user (a root grader gets a cgroup per sandbox where the machine mounts one), and as an
ordinary user where user namespaces are blocked (``tests/blocked_userns.py``: no cgroup, only
the polling watchdog).

Prints the honest submission's summed check durations each way and two ratios: next to the hog
over alone (goal: at most 1.3 with cgroups), and next to the hog over next to an honest
neighbour (1.0: the hog costs its neighbour no more than any neighbour does).
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BLOCKED = ROOT / "tests" / "blocked_userns.py"
EXERCISE = "ex06_train_validate"
GOAL = 1.3
HOGS = '''

import os as _os

_reference_split_and_scale = split_and_scale


def split_and_scale(X, y, seed=42):
    if not _os.environ.get("HOGS_STARTED"):
        _os.environ["HOGS_STARTED"] = "1"
        for _ in range(12):
            if _os.fork() == 0:
                _os.setsid()
                while True:
                    pass
    return _reference_split_and_scale(X, y, seed=seed)
'''
"""Appended to the reference's ex06 module: the hogging neighbour."""


def _submission(folder: Path, hogs: bool) -> None:
    shutil.copytree(ROOT / "solutions", folder)
    if hogs:
        module = folder / EXERCISE / "train_validate.py"
        module.write_text(module.read_text(encoding="utf-8") + HOGS, encoding="utf-8")


def _graded(work: Path, neighbour: str | None, blocked: bool) -> float:
    """The honest submission's summed check durations, graded beside ``neighbour``."""
    shutil.rmtree(work, ignore_errors=True)
    submissions = work / "class"
    _submission(submissions / "honest", hogs=False)
    if neighbour:
        _submission(submissions / "neighbour", hogs=neighbour == "hogs")
    out = work / "out"
    walls = [sys.executable, str(BLOCKED)] if blocked else []
    command = [*walls, sys.executable, "-m", "grader", "batch", str(submissions)]
    command += ["--out", str(out), "--workers", "2", f"--only={EXERCISE}", "--no-reference"]
    subprocess.run(command, check=True, capture_output=True, cwd=ROOT)
    report = json.loads((out / "honest.json").read_text(encoding="utf-8"))
    layers = {layer["name"]: layer["active"] for layer in report["isolation"]["layers"]}
    print(f"    cgroup {'active' if layers['cgroup'] else 'missing'}", end="; ")
    return sum(t["duration"] for t in report["tests"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="cpu-fairness-"))
    try:
        for blocked in (False, True):
            print("as an ordinary user, user namespaces blocked:" if blocked else "as this user:")
            seconds = {}
            for neighbour in (None, "honest", "hogs"):
                runs = [_graded(work / "run", neighbour, blocked) for _ in range(args.repeat)]
                seconds[neighbour] = min(runs)
                print(f"{neighbour or 'alone'}: {seconds[neighbour]:.1f} s")
            print(
                f"  next to the hog / alone: {seconds['hogs'] / seconds[None]:.2f} "
                f"(goal with cgroups: at most {GOAL}); next to the hog / next to an honest "
                f"neighbour: {seconds['hogs'] / seconds['honest']:.2f}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
