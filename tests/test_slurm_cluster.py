"""A class graded on a real Slurm: a one-node cluster on this machine (``tests/slurm_cluster.py``)
runs the job array and the merge job ``grader cluster slurm --submit`` hands it, and the merged
gradebook and reports are what one ``grader batch`` of the same class writes."""

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
import slurm_cluster
from sharded_class import (
    HOSTILE_STUDENTS,
    ONLY,
    comparable,
    full_marks,
    grader,
    hostile_scores,
    scores,
    small_class,
)

from grader import GRADER_ROOT

pytestmark = pytest.mark.skipif(
    bool(slurm_cluster.missing()), reason=slurm_cluster.unavailable() or ""
)

SHARDS = 2
HOSTILE = ("ivan",)
"""Leaves its process at import. The class's other hostile student, who hunts for the
solutions, is left to tests/test_shards.py, to keep this test short."""
BATCH_OPTIONS = ("--only", ONLY, "--timeout", "60")
JOB_TIMEOUT = 240.0
"""Seconds for the array and the merge: the class takes about a minute on two shared cores."""


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[slurm_cluster.LocalSlurm]:
    """The one-node cluster, stopped (every daemon) when the module's tests are done."""
    with slurm_cluster.local_slurm(tmp_path_factory.mktemp("slurm")) as running:
        yield running


@pytest.fixture(scope="module")
def graded(
    cluster: slurm_cluster.LocalSlurm, tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path, str]:
    """The class graded by the cluster (submitted while its partition is down, so the status
    of queued shards can be read, then let run) and, meanwhile, by one batch: the batch's
    folder, the cluster's, and ``grader cluster status`` while the shards were queued."""
    root = tmp_path_factory.mktemp("class")
    submissions = small_class(root / "submissions", hostile=HOSTILE)
    out, whole = root / "sharded", root / "whole"
    cluster.run("scontrol", "update", f"PartitionName={cluster.partition}", "State=DOWN")
    to_slurm = [str(submissions), "--out", str(out), "--shards", str(SHARDS)]
    slurm = ["--cpus-per-task", "1", "--time", "10:00", "--mem", "2G", "--submit"]
    submitted = grader(
        "cluster", "slurm", *to_slurm, *slurm, "--", *BATCH_OPTIONS, env=cluster.env, cwd=root
    )
    assert submitted.returncode == 0, submitted.stdout + submitted.stderr + cluster.logs()
    queued = grader("cluster", "status", str(out), env=cluster.env)
    assert queued.returncode == 0, queued.stderr
    cluster.run("scontrol", "update", f"PartitionName={cluster.partition}", "State=UP")
    one_batch = ["batch", str(submissions), "--out", str(whole), *BATCH_OPTIONS, "--workers", "1"]
    batch = subprocess.Popen(
        [sys.executable, "-m", "grader", *one_batch],
        cwd=GRADER_ROOT,  # where the array's tasks run too (#SBATCH --chdir)
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    jobs = json.loads((out / "cluster" / "jobs.json").read_text(encoding="utf-8"))
    try:
        array = cluster.wait(jobs["array"], JOB_TIMEOUT)
        merged = cluster.wait(jobs["merge"], JOB_TIMEOUT)
    finally:
        said, _ = batch.communicate(timeout=300)
    logs = "\n".join(
        f"--- {log.name} ---\n{log.read_text(errors='replace')}"
        for log in sorted((out / "cluster" / "logs").glob("*.out"))
    )
    assert array == ["COMPLETED"] * SHARDS, f"array tasks {array}\n{logs}"
    assert merged == ["COMPLETED"], f"merge job {merged}\n{logs}"
    assert batch.returncode == 0, said
    return whole, out, queued.stdout


def test_the_cluster_merges_what_one_batch_gives(graded: tuple[Path, Path, str]) -> None:
    whole, sharded, _ = graded
    assert scores(sharded) == scores(whole), "the cluster's gradebook (left) against one batch's"
    assert comparable(sharded) == comparable(whole), "the cluster's files against one batch's"
    for index in range(SHARDS):
        said = (sharded / "cluster" / "logs" / f"shard-{index}.out").read_text()
        assert f"shards/{index}/gradebook.csv" in said, f"array task {index}'s log: {said}"


def test_hostile_students_get_their_due_and_others_full_marks(
    graded: tuple[Path, Path, str],
) -> None:
    _, sharded, _ = graded
    merged = scores(sharded)
    for student in HOSTILE:
        least, most = hostile_scores()[student]
        total, _, status = merged[student]
        assert least <= int(total) <= most, (
            f"{student} ({HOSTILE_STUDENTS[student]}) got {total}, expected {least} to {most}"
        )
        assert status == "graded", f"{student}: {status}"
    assert {"alice", "erin", "hana"} <= full_marks(merged), merged


def test_status_reads_the_queue_then_the_shards(
    graded: tuple[Path, Path, str], cluster: slurm_cluster.LocalSlurm
) -> None:
    _, sharded, queued = graded
    assert queued.splitlines() == [
        *(f"shard {k}: pending, 0 graded" for k in range(SHARDS)),
        f"{SHARDS} pending",
    ]
    done = grader("cluster", "status", str(sharded), env=cluster.env)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[-1] == f"{SHARDS} done", done.stdout
    students = sum(int(line.split(" of ")[1].split()[0]) for line in lines[:-1])
    assert students == len(scores(sharded)), done.stdout
