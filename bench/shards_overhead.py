"""The cost of the cluster path on one machine: one batch against shards plus a merge.

    python bench/shards_overhead.py [--students 24] [--shards 2] [--only ex01_activations]

Generates a class in a temporary folder (a third each of solutions, stubs, and solutions with
one of the test corpus's wrong implementations in them) and grades it

- as one ``grader batch --workers SHARDS``;
- as SHARDS ``grader batch --shard K/SHARDS --workers 1`` at once (what SHARDS one-core
  tasks of a Slurm array or pods of an Indexed Job do, here on one machine), then
  ``grader merge``.

Prints both throughputs (submissions per minute), the merge's time, and the overhead of the
cluster path over the batch as a share of the batch's time (the goal: under 10%; the point of
the cluster path is more machines, not a faster one: each shard starts its own fork server),
the measured cost of one submission, and the time 3,000 submissions would take on N machines
of this size. Checks that both ways wrote the same gradebook.
"""

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "tests" / "corpus" / "wrong"
GOAL = 0.10


def make_class(folder: Path, students: int, only: str | None) -> None:
    wrong = sorted(CORPUS.glob(f"{only or ''}*.py"))
    for i in range(students):
        student = folder / f"student{i:03d}"
        kind = i % 3
        shutil.copytree(ROOT / ("exercises" if kind == 1 else "solutions"), student)
        if kind == 2:
            entry = wrong[i % len(wrong)]
            exercise = entry.name.partition("__")[0]
            module = next((student / exercise).glob("*.py"))
            module.write_text(module.read_text() + "\n\n" + entry.read_text())


def grader(*args: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
    )


def timed(*processes: subprocess.Popen[bytes]) -> float:
    start = time.perf_counter()
    for process in processes:
        if process.wait() != 0:
            sys.exit(f"{process.args} failed with exit code {process.returncode}")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--only", help="grade only this exercise (default: the whole kit)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        root = Path(tmp)
        submissions = root / "submissions"
        make_class(submissions, args.students, args.only)
        options = [str(submissions), *(["--only", args.only] if args.only else [])]
        batch = timed(
            grader("batch", *options, "--out", str(root / "batch"), "--workers", str(args.shards))
        )
        out = root / "sharded"
        shards = timed(
            *(
                grader(
                    "batch",
                    *options,
                    "--out",
                    str(out),
                    "--shard",
                    f"{k}/{args.shards}",
                    "--workers",
                    "1",
                )
                for k in range(args.shards)
            )
        )
        merge = timed(grader("merge", str(out)))
        same = (root / "batch" / "gradebook.csv").read_text() == (out / "gradebook.csv").read_text()
    overhead = (shards + merge - batch) / batch
    per_submission = batch * args.shards / args.students  # core-seconds
    print(f"{args.students} submissions, {args.shards} cores, {args.only or 'whole kit'}")
    print(
        f"one batch --workers {args.shards}: {batch:.1f} s, "
        f"{60 * args.students / batch:.1f} submissions/min"
    )
    print(
        f"{args.shards} shards of 1 worker: {shards:.1f} s, then merge {merge:.2f} s: "
        f"{60 * args.students / (shards + merge):.1f} submissions/min"
    )
    print(f"overhead of the cluster path: {overhead:+.1%} of the batch (goal: under {GOAL:.0%})")
    print(f"cost of one submission: {per_submission:.1f} core-seconds")
    for nodes in (1, 4, 16):
        hours = 3000 * per_submission / (args.shards * nodes) / 3600
        print(f"3,000 submissions on {nodes} node(s) of {args.shards} cores: {hours:.2f} h")
    print("gradebooks identical" if same else "GRADEBOOKS DIFFER")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
