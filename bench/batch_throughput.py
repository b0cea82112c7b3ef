"""Grading a class: ``grader batch`` with 2 workers against a naive baseline, in one run.

    python bench/batch_throughput.py [--students 20] [--workers 2]

Generates a class in a temporary folder: copies of the solutions, the stubs, solutions
with one of the test corpus's wrong implementations in them, and hostile submissions (an
infinite loop, a sleep at import, a syntax error, an exit at import). Grades it

- naively: ``pytest SUBMISSION --no-fork-server`` with the kit's plugin, in a fresh process
  per submission, one after another (each student process imports TensorFlow again, no
  sandbox: the baseline the goal was set against; ``--plain`` drops ``--no-fork-server``, so
  that each submission's run imports TensorFlow once, as a student's own run does);
- with ``grader batch --workers 2``: one fork server imports TensorFlow once, every student
  process is forked from it into its own sandbox.

Prints each wall time, the throughput ratio (goal: at least 2.5) and the peak memory of each
way (the summed proportional set size of every process it started, sampled 5 times a second,
so pages a forked child shares with the fork server count once),
and checks that both ways gave each full-marks submission full marks.
"""

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "wrong"
GOAL = 2.5
HOSTILE = {
    "loops": (
        "ex01_activations/activations.py",
        "def sigmoid(x):\n    while True:\n        pass\n",
    ),
    "sleeps": ("ex02_losses/losses.py", "import time\ntime.sleep(3600)\n"),
    "syntax": ("ex03_optimizers/optimizers.py", "def sgd_step(:\n"),
    "exits": ("ex04_neuron/neuron.py", "import sys\nsys.exit(3)\n"),
}
"""Hostile submissions: each replaces or extends one file of the solutions."""


def make_class(folder: Path, students: int) -> list[str]:
    """Submissions in ``folder``: a quarter each of solutions, stubs, wrong and hostile."""
    wrong = sorted(CORPUS.glob("*.py"))
    hostile = list(HOSTILE.items())
    made = []
    for i in range(students):
        kind = ("solution", "stub", "wrong", "hostile")[i % 4]
        name = f"s{i:03d}-{kind}"
        target = folder / name
        shutil.copytree(ROOT / ("exercises" if kind == "stub" else "solutions"), target)
        if kind == "wrong":
            entry = wrong[(i * 7) % len(wrong)]
            exercise = entry.stem.split("__")[0]
            module = next((target / exercise).glob("*.py"))
            module.write_text(module.read_text() + "\n\n" + entry.read_text())
        elif kind == "hostile":
            _, (relative, source) = hostile[(i // 4) % len(hostile)]
            module = target / relative
            module.write_text(module.read_text() + "\n\n" + source)
        made.append(name)
    return made


class PeakMemory:
    """Peak of the summed proportional set size (PSS) of this process's descendants: memory
    that forked children share with the fork server is counted once, not once per child."""

    def __init__(self) -> None:
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> "PeakMemory":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def _sample(self) -> None:
        import os

        me = os.getpid()
        while not self._stop.wait(0.2):
            parents, rss = {}, {}
            for entry in Path("/proc").iterdir():
                if not entry.name.isdigit():
                    continue
                try:
                    status = (entry / "status").read_text()
                    rollup = (entry / "smaps_rollup").read_text()
                except OSError:
                    continue
                fields = dict(line.split(":", 1) for line in status.splitlines() if ":" in line)
                parents[int(entry.name)] = int(fields.get("PPid", "0"))
                pss = dict(line.split(":", 1) for line in rollup.splitlines() if ":" in line)
                rss[int(entry.name)] = int(pss.get("Pss", "0 kB").split()[0]) * 1024
            total = 0
            for pid in rss:
                ancestor = parents.get(pid)
                while ancestor and ancestor != me:
                    ancestor = parents.get(ancestor)
                if ancestor == me:
                    total += rss[pid]
            self.peak = max(self.peak, total)


def naive(folder: Path, names: list[str], reports: Path, plain: bool) -> float:
    started = time.perf_counter()
    server = [] if plain else ["--no-fork-server"]
    for name in names:
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                str(folder / name),
                f"--score-report={reports / (name + '.json')}",
                *server,
            ],
            cwd=folder / name,
            capture_output=True,
            check=False,
        )
    return time.perf_counter() - started


def batch(folder: Path, out: Path, workers: int) -> float:
    started = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-m",
            "grader",
            "batch",
            str(folder),
            "--out",
            str(out),
            "--workers",
            str(workers),
        ],
        capture_output=True,
        check=True,
    )
    return time.perf_counter() - started


def full_marks(reports: Path, names: list[str]) -> list[str]:
    found = []
    for name in names:
        path = reports / f"{name}.json"
        report = json.loads(path.read_text()) if path.exists() else {}
        if report.get("score") == report.get("max_score", -1):
            found.append(name)
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=20)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--plain", action="store_true", help="naive runs with their own fork server each"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-class-") as tmp:
        work = Path(tmp)
        (work / "class").mkdir()
        names = make_class(work / "class", args.students)
        (work / "naive").mkdir()
        with PeakMemory() as naive_memory:
            naive_seconds = naive(work / "class", names, work / "naive", args.plain)
        way = "pytest" if args.plain else "pytest --no-fork-server"
        print(
            f"naive, {way} per submission: {naive_seconds:.1f} s for {len(names)} "
            f"submissions, peak memory {naive_memory.peak / 2**30:.2f} GiB"
        )
        with PeakMemory() as batch_memory:
            batch_seconds = batch(work / "class", work / "batch", args.workers)
        print(
            f"grader batch --workers {args.workers}: {batch_seconds:.1f} s, "
            f"peak memory {batch_memory.peak / 2**30:.2f} GiB"
        )
        ratio = naive_seconds / batch_seconds
        verdict = "meets" if ratio >= GOAL else "misses"
        print(f"throughput ratio {ratio:.2f} ({verdict} the goal of {GOAL:g})")
        solutions = [n for n in names if n.endswith("-solution")]
        for way in ("naive", "batch"):
            graded = full_marks(work / way, solutions)
            print(
                f"{way}: {len(graded)} of {len(solutions)} copies of the solutions got full marks"
            )


if __name__ == "__main__":
    main()
