"""How long grading the whole kit takes, against importing TensorFlow.

    python bench/whole_kit.py [--repeat 3]

Grades a copy of solutions/ with ``pytest exercises`` (all eight exercises) and with
``pytest exercises/<exercise>`` for each Keras exercise, and prints each median wall time
beside the median time of ``python -c "import tensorflow"``, as a ratio. The goal for the
whole kit is a ratio under 12.
"""

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from student_loop import ROOT, median_seconds

KERAS_EXERCISES = ("ex05_build_compile", "ex06_train_validate", "ex07_regularize", "ex08_save_load")
GOAL = 12.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        shutil.copytree(ROOT / "solutions", work / "exercises")
        baseline = median_seconds([sys.executable, "-c", "import tensorflow"], work, args.repeat)
        print(f"python -c 'import tensorflow': {baseline:.2f} s (median of {args.repeat})")
        pytest = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"]
        for name in KERAS_EXERCISES:
            seconds = median_seconds([*pytest, f"exercises/{name}"], work, args.repeat)
            print(f"pytest exercises/{name}: {seconds:.2f} s, ratio {seconds / baseline:.2f}")
        seconds = median_seconds([*pytest, "exercises"], work, args.repeat)
        ratio = seconds / baseline
        verdict = "meets" if ratio < GOAL else "misses"
        print(
            f"pytest exercises (the whole kit): {seconds:.2f} s, ratio {ratio:.2f} "
            f"({verdict} the goal of {GOAL:g})"
        )


if __name__ == "__main__":
    main()
