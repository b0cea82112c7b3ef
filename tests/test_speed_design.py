"""The student's loop stays free of TensorFlow (timings themselves live in bench/)."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from kit import SOLUTIONS

from grader.catalog import exercises

UNIMPORTABLE = "raise ImportError('{name} is unimportable here: this exercise must not need it')\n"


def test_grading_numpy_exercises_never_imports_tensorflow() -> None:
    code = (
        "import sys, grader.judge.plugin, grader.commands.cli\n"
        "import grader.checks.ex01_activations, grader.checks.ex02_losses, "
        "grader.checks.ex03_optimizers\n"
        "from grader.results.model import environment; environment()\n"
        "assert 'tensorflow' not in sys.modules and 'keras' not in sys.modules, 'imported'\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr


def _student_run(work: Path, blocked: Path, *paths: str) -> subprocess.CompletedProcess[str]:
    """``pytest <paths>`` in ``work`` as a student runs it, with ``blocked`` first on the path."""
    path = os.pathsep.join(filter(None, [str(blocked), os.environ.get("PYTHONPATH")]))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *paths]
    command += ["--score-report", "report.json"]
    env = {**os.environ, "PYTHONPATH": path}
    return subprocess.run(
        command, cwd=work, env=env, capture_output=True, text=True, timeout=300, check=False
    )


def test_ex01_to_ex04_need_neither_tensorflow_nor_keras(tmp_path: Path) -> None:
    """Finished work of every NumPy exercise (ex04's checks compare with values recorded from
    Keras) passes with TensorFlow and Keras unimportable, in the student's and the grader's
    processes alike; ex05 then fails, so the block holds."""
    blocked = tmp_path / "blocked"
    for name in ("tensorflow", "keras"):
        (blocked / name).mkdir(parents=True)
        (blocked / name / "__init__.py").write_text(UNIMPORTABLE.format(name=name))
    shutil.copytree(SOLUTIONS, tmp_path / "exercises")
    numpy = [e for e in exercises() if not e.keras]
    assert [e.name for e in numpy][-1] == "ex04_neuron"
    done = _student_run(tmp_path, blocked, *(f"exercises/{e.name}" for e in numpy))
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((tmp_path / "report.json").read_text())
    assert [e["name"] for e in report["exercises"]] == [e.name for e in numpy]
    assert report["score"] == sum(e.max_score for e in numpy)
    keras = _student_run(tmp_path, blocked, "exercises/ex05_build_compile")
    assert keras.returncode != 0 and "tensorflow is unimportable here" in keras.stdout
