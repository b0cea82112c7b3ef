"""The cost of the cluster path on one machine: one batch against shards plus a merge.

    python bench/shards_overhead.py [--students 24] [--shards 2] [--only ex01_activations]
    python bench/shards_overhead.py --slurm ...    # the shards as a real Slurm job array

Generates a class in a temporary folder (a third each of solutions, stubs, and solutions with
one of the test corpus's wrong implementations in them) and grades it

- as one ``grader batch --workers SHARDS``;
- as SHARDS ``grader batch --shard K/SHARDS --workers 1`` at once (what SHARDS one-core
  tasks of a Slurm array or pods of an Indexed Job do, here on one machine), then
  ``grader merge``;
- or, with ``--slurm``, as the job array and merge job ``grader cluster slurm --shards SHARDS
  --cpus-per-task 1 --submit`` hands a one-node Slurm cluster that the bench starts on this
  machine (``tests/slurm_cluster.py``: Debian's slurmctld, slurmd, slurm-client and munge,
  as root), timed from the submission until the array is done, then until the merge job is
  (the wait for its dependency included).

Prints both throughputs (submissions per minute), the merge's time, and the overhead of the
cluster path over the batch as a share of the batch's time (the goal: under 10%; the point of
the cluster path is more machines, not a faster one: each shard starts its own fork server),
the measured cost of one submission on the cluster path, and the time 3,000 submissions would
take on N machines of this size::

    cost  = shards_time * SHARDS / students                  (core-seconds per submission)
    T(N)  = 3000 * cost / (SHARDS * N) + merge_time * 3000 / students

(the shards share the N nodes; the merge, one process, reads every report: scaled with the
class, an upper bound, since part of its time is start-up). Checks that both ways wrote the
same gradebook.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
import slurm_cluster  # noqa: E402  (the tests' local cluster)

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


def grader(*args: str, env: dict[str, str] | None = None) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "grader", *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )


def timed(*processes: subprocess.Popen[bytes]) -> float:
    start = time.perf_counter()
    for process in processes:
        if process.wait() != 0:
            sys.exit(f"{process.args} failed with exit code {process.returncode}")
    return time.perf_counter() - start


def local_shards(options: list[str], out: Path, shards: int) -> tuple[float, float]:
    """The shards at once on this machine, then the merge: both times."""
    one_each = ["--workers", "1"]
    graded = timed(
        *(
            grader("batch", *options, "--out", str(out), "--shard", f"{k}/{shards}", *one_each)
            for k in range(shards)
        )
    )
    return graded, timed(grader("merge", str(out)))


def slurm_shards(options: list[str], out: Path, shards: int, root: Path) -> tuple[float, float]:
    """The job array and the merge job on a one-node Slurm cluster started for it: the time
    from the submission until the array is done, and from then until the merge is."""
    with slurm_cluster.local_slurm(root / "slurm") as cluster:
        if cluster.cpus < shards:
            sys.exit(f"the local node has {cluster.cpus} CPUs: fewer than {shards} shards")
        submission, *batch_options = options
        start = time.perf_counter()
        submit = [submission, "--out", str(out), "--shards", str(shards), "--cpus-per-task", "1"]
        submit += ["--submit", "--", *batch_options]
        submitted = subprocess.run(
            [sys.executable, "-m", "grader", "cluster", "slurm", *submit],
            capture_output=True,
            text=True,
            env={**os.environ, **cluster.env},
            check=False,
        )
        if submitted.returncode != 0:
            sys.exit(f"grader cluster slurm --submit failed: {submitted.stderr}")
        jobs = json.loads((out / "cluster" / "jobs.json").read_text(encoding="utf-8"))
        timeout = 3600.0
        array = cluster.wait(jobs["array"], timeout)
        graded = time.perf_counter() - start
        merge = cluster.wait(jobs["merge"], timeout)
        merged = time.perf_counter() - start - graded
    if set(array + merge) != {"COMPLETED"}:
        logs = "\n".join(p.read_text() for p in sorted((out / "cluster" / "logs").glob("*")))
        sys.exit(f"array {array}, merge {merge}\n{logs}")
    return graded, merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.partition("\n")[0])
    parser.add_argument("--students", type=int, default=24)
    parser.add_argument("--shards", type=int, default=2)
    parser.add_argument("--only", help="grade only this exercise (default: the whole kit)")
    parser.add_argument(
        "--slurm", action="store_true", help="run the shards as a job array on a local Slurm"
    )
    args = parser.parse_args()
    if args.slurm and (why := slurm_cluster.unavailable()):
        sys.exit(f"--slurm: {why}")
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as tmp:
        root = Path(tmp)
        submissions = root / "submissions"
        make_class(submissions, args.students, args.only)
        options = [str(submissions), *(["--only", args.only] if args.only else [])]
        batch = timed(
            grader("batch", *options, "--out", str(root / "batch"), "--workers", str(args.shards))
        )
        out = root / "sharded"
        if args.slurm:
            shards, merge = slurm_shards(options, out, args.shards, root)
        else:
            shards, merge = local_shards(options, out, args.shards)
        same = (root / "batch" / "gradebook.csv").read_text() == (out / "gradebook.csv").read_text()
    way = "Slurm array tasks" if args.slurm else "shards"
    overhead = (shards + merge - batch) / batch
    per_submission = shards * args.shards / args.students  # core-seconds
    print(f"{args.students} submissions, {args.shards} cores, {args.only or 'whole kit'}")
    print(
        f"one batch --workers {args.shards}: {batch:.1f} s, "
        f"{60 * args.students / batch:.1f} submissions/min"
    )
    print(
        f"{args.shards} {way} of 1 worker: {shards:.1f} s, then merge {merge:.2f} s: "
        f"{60 * args.students / (shards + merge):.1f} submissions/min"
    )
    print(f"overhead of the cluster path: {overhead:+.1%} of the batch (goal: under {GOAL:.0%})")
    print(f"cost of one submission: {per_submission:.1f} core-seconds")
    for nodes in (1, 4, 16):
        seconds = 3000 * per_submission / (args.shards * nodes) + merge * 3000 / args.students
        hours = seconds / 3600
        print(f"3,000 submissions on {nodes} node(s) of {args.shards} cores: {hours:.2f} h")
    print("gradebooks identical" if same else "GRADEBOOKS DIFFER")
    if not same:
        sys.exit(1)


if __name__ == "__main__":
    main()
