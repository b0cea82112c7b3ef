"""The student's loop stays free of TensorFlow (timings themselves live in bench/)."""

import subprocess
import sys


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
