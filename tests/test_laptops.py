"""The student's path works on every laptop: it needs nothing that Windows or macOS lack.

Every process of these runs (pytest, the student's processes, the grader-only process) starts
with ``tests/without_posix`` on its path, whose ``sitecustomize`` takes away ``os.fork``,
``select`` on anything but a socket, the ``resource`` module and ``SOCK_SEQPACKET``. The same
runs on real Windows and macOS machines are ``.github/workflows/student-path.yml``.
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kit import SOLUTIONS

from grader import GRADER_ROOT

WITHOUT_POSIX = Path(__file__).parent / "without_posix"


def _student_run(folder: Path, *exercise_names: str, source: str = "") -> str:
    """``pytest exercises`` in a student's copy holding the solutions of ``exercise_names``
    (the first one's module with ``source`` appended); what it printed."""
    for name in exercise_names:
        shutil.copytree(SOLUTIONS / name, folder / "exercises" / name)
    if source:
        module = next((folder / "exercises" / exercise_names[0]).glob("*.py"))
        module.write_text(module.read_text(encoding="utf-8") + "\n\n" + source, encoding="utf-8")
    (folder / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    path = os.pathsep.join([str(WITHOUT_POSIX), str(GRADER_ROOT)])
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises"],
        cwd=folder,
        env={**os.environ, "PYTHONPATH": path, "GRADER_LANG": "en"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done.stdout


def _table_row(printed: str, exercise_name: str) -> str:
    """The score table's row of an exercise."""
    return next(line for line in printed.splitlines() if line.startswith(f"│ {exercise_name} "))


def test_the_simulation_takes_the_features_away(tmp_path: Path) -> None:
    probe = (
        "import os, select, socket\n"
        "r, w = os.pipe()\n"
        "try:\n    select.select([r], [], [], 0)\nexcept OSError:\n    print('no select')\n"
        "try:\n    import resource\nexcept ImportError:\n    print('no resource')\n"
        "print(hasattr(os, 'fork'), hasattr(socket, 'SOCK_SEQPACKET'))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe],
        env={**os.environ, "PYTHONPATH": str(WITHOUT_POSIX)},
        capture_output=True,
        text=True,
        check=True,
    )
    assert done.stdout.split("\n")[:3] == ["no select", "no resource", "False False"]


def test_a_numpy_exercise_scores_and_stops_an_endless_loop(tmp_path: Path) -> None:
    loop = "def relu(x):\n    while True:\n        pass\n"
    printed = _student_run(tmp_path, "ex01_activations", source=loop)
    assert "did not finish within 10 s" in printed, printed[-3000:]
    row = _table_row(printed, "ex01_activations")
    assert "15 / 15" not in row and " 0 / 15" not in row, row  # the other checks still count


@pytest.mark.parametrize("exercise_name", ["ex01_activations", "ex08_save_load"])
def test_the_solutions_score_full_marks(tmp_path: Path, exercise_name: str) -> None:
    """ex08 also starts the grader-only process that opens the files the student's code wrote."""
    printed = _student_run(tmp_path, exercise_name)
    row = _table_row(printed, exercise_name)
    points = row.split("│")[2].strip()
    assert points.split(" / ")[0] == points.split(" / ")[1], row


def test_the_workflow_for_real_laptops_covers_every_system_and_python() -> None:
    import yaml

    workflow = yaml.safe_load((GRADER_ROOT / ".github/workflows/student-path.yml").read_text())
    matrix = workflow["jobs"]["student-path"]["strategy"]["matrix"]
    assert set(matrix["os"]) == {"windows-latest", "macos-latest", "ubuntu-latest"}
    assert matrix["python"] == ["3.11", "3.12", "3.13"]
    steps = " ".join(str(step.get("run", "")) for step in workflow["jobs"]["student-path"]["steps"])
    assert "pytest exercises" in steps and "100 / 100" in steps
