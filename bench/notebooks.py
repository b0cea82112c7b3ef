"""Notebooks: grading one against its .py twin, and grader.check from a live kernel.

    python bench/notebooks.py [--repeat 3]

1. ``grader grade --no-reference`` of the NumPy exercises' solutions handed in as ``.py`` files,
   and of the same definitions handed in as one notebook per exercise (one cell per top-level
   statement): the ratio of the median times. Goal: at most 1.05 (extraction costs little).
2. In a live Jupyter kernel (``jupyter_client``, ``ipykernel``) that ran ex01's solution cell by
   cell, the time of ``grader.check("ex01_activations")``, beside ``pytest
   exercises/ex01_activations`` on a copy of the same file: the ratio. Goal: at most 1.2.
"""

import argparse
import ast
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import nbformat
from student_loop import median_seconds

ROOT = Path(__file__).resolve().parent.parent
SOLUTIONS = ROOT / "solutions"
NUMPY_EXERCISES = ("ex01_activations", "ex02_losses", "ex03_optimizers")
GRADE_GOAL, CHECK_GOAL = 1.05, 1.2


def cells_of(source: str) -> list[str]:
    """A module as notebook cells: one per top-level statement, as a student types them."""
    lines = source.splitlines()
    tree = ast.parse(source)
    starts = [
        (node.decorator_list[0].lineno if getattr(node, "decorator_list", None) else node.lineno)
        for node in tree.body
    ]
    ends = [*starts[1:], len(lines) + 1]
    return ["\n".join(lines[a - 1 : b - 1]).strip() for a, b in zip(starts, ends, strict=True)]


def submissions(folder: Path) -> tuple[Path, Path]:
    """The NumPy solutions as ``.py`` files, and as one notebook per exercise."""
    py, notebooks = folder / "py", folder / "notebooks"
    notebooks.mkdir(parents=True)
    for name in NUMPY_EXERCISES:
        shutil.copytree(SOLUTIONS / name, py / name)
        module = next((SOLUTIONS / name).glob("*.py")).read_text(encoding="utf-8")
        book = nbformat.v4.new_notebook()
        book.cells = [nbformat.v4.new_code_cell(cell) for cell in cells_of(module)]
        nbformat.write(book, notebooks / f"{name}.ipynb")
    return py, notebooks


def grade_ratio(folder: Path, repeat: int) -> tuple[float, float]:
    py, notebooks = submissions(folder)
    only = "--only=" + ",".join(NUMPY_EXERCISES)

    def command(submission: Path) -> list[str]:
        report = folder / f"{submission.name}.json"
        grade = [sys.executable, "-m", "grader", "grade", str(submission), "--json", str(report)]
        return [*grade, "--quiet", "--no-reference", "--allow-weak-isolation", only]

    # Taken in turns, so that a machine's changing load falls on both alike.
    py_times, notebook_times = [], []
    for _ in range(repeat):
        py_times.append(median_seconds(command(py), folder, 1))
        notebook_times.append(median_seconds(command(notebooks), folder, 1))
    return statistics.median(py_times), statistics.median(notebook_times)


def _quiet(message: dict) -> None:
    """What the kernel shows is not timed output."""


def check_ratio(folder: Path, repeat: int) -> tuple[float, float]:
    from jupyter_client.manager import start_new_kernel

    copy = folder / "student"
    shutil.copytree(SOLUTIONS / "ex01_activations", copy / "exercises" / "ex01_activations")
    (copy / "pytest.ini").write_text("[pytest]\naddopts = -p no:cacheprovider\n")
    pytest_time = median_seconds(
        [sys.executable, "-m", "pytest", "exercises/ex01_activations", "-q"], copy, repeat
    )
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        module = (SOLUTIONS / "ex01_activations" / "activations.py").read_text(encoding="utf-8")
        for cell in [f"import sys; sys.path.insert(0, {str(ROOT)!r})", *cells_of(module)]:
            client.execute_interactive(cell, timeout=120, output_hook=_quiet)
        client.execute_interactive("import grader", timeout=120, output_hook=_quiet)
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            client.execute_interactive(
                'grader.check("ex01_activations")', timeout=300, output_hook=_quiet
            )
            times.append(time.perf_counter() - start)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return pytest_time, statistics.median(times)


def verdict(ratio: float, goal: float) -> str:
    return f"ratio {ratio:.2f} (goal at most {goal}): {'met' if ratio <= goal else 'NOT met'}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        py, notebook = grade_ratio(Path(tmp) / "grade", args.repeat)
        ratio = notebook / py
        print(f"grader grade, .py files:   {py:6.2f} s")
        print(f"grader grade, notebooks:   {notebook:6.2f} s")
        print(verdict(ratio, GRADE_GOAL))
        pytest_time, check = check_ratio(Path(tmp) / "check", args.repeat)
        ratio = check / pytest_time
        print(f"pytest exercises/ex01_activations:        {pytest_time:6.2f} s")
        print(f'grader.check("ex01_activations") (kernel): {check:6.2f} s')
        print(verdict(ratio, CHECK_GOAL))


if __name__ == "__main__":
    main()
