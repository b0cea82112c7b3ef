"""How long a student waits for one exercise's checks, against importing TensorFlow.

    python bench/student_loop.py [--repeat 5]

Grades a copy of solutions/ with ``pytest exercises/<exercise>`` (the student's command) and
prints each exercise's median wall time beside the median time of
``python -c "import tensorflow"``, as a ratio. The goal is a ratio under 0.5: editing a NumPy
exercise must not pay for TensorFlow.
"""

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NUMPY_EXERCISES = ("ex01_activations", "ex02_losses", "ex03_optimizers")
GOAL = 0.5


def median_seconds(command: list[str], cwd: Path, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(command, cwd=cwd, check=False, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "solutions", work / "exercises")
        baseline = median_seconds([sys.executable, "-c", "import tensorflow"], work, args.repeat)
        print(f"python -c 'import tensorflow': {baseline:.2f} s (median of {args.repeat})")
        for name in NUMPY_EXERCISES:
            command = [
                sys.executable,
                "-m",
                "pytest",
                f"exercises/{name}",
                "-q",
                "-p",
                "no:cacheprovider",
            ]
            seconds = median_seconds(command, work, args.repeat)
            ratio = seconds / baseline
            verdict = "meets" if ratio < GOAL else "misses"
            print(
                f"pytest exercises/{name}: {seconds:.2f} s, ratio {ratio:.2f} "
                f"({verdict} the goal of {GOAL})"
            )


if __name__ == "__main__":
    main()
