"""A class graded as shards (grader batch --shard) and merged (grader merge) gives what one batch
gives; the split is a pure function of the student id; every refusal of the merge names why."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import yaml
from fixture_reports import report_with_score
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
from grader.commands import batch, cli, cluster, merge, shards
from grader.commands.shards import Shard, ShardRecord, parse_shard, shard_of, split
from grader.isolation.layers import landlock_abi
from grader.results.model import ScoreReport, write_report

BLOCKED = Path(__file__).resolve().parent / "blocked_userns.py"
HAS_LANDLOCK = os.path.exists("/proc/self/ns/user") and landlock_abi() >= 1
"""A pod's command is run where user namespaces are blocked only where Landlock still hides the
reference (else that batch refuses to grade, rightly)."""
TIMEOUT = "30"


def commands_at_once(*runs: tuple[list[str], dict[str, str]]) -> None:
    """Run these commands at once (each batch starts its own fork server: seconds)."""
    started = [
        subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, **env},
        )
        for args, env in runs
    ]
    for process in started:
        stdout, stderr = process.communicate(timeout=300)
        assert process.returncode == 0, stdout + stderr


def pod_command(manifest: Path, index: int) -> tuple[list[str], dict[str, str]]:
    """The Indexed Job's container command and environment, as a pod of ``index`` gets them
    (``python`` is the image's: here, this one's)."""
    job = next(d for d in yaml.safe_load_all(manifest.read_text()) if d["kind"] == "Job")
    container = job["spec"]["template"]["spec"]["containers"][0]
    env = {item["name"]: item["value"] for item in container["env"]}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return container["command"], {**env, "JOB_COMPLETION_INDEX": str(index)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The class graded as one batch and as three shards merged: shard 0 by --shard 0/3,
    shard 1 by the Slurm array script grader cluster slurm writes (run by bash, with Slurm's
    variables), shard 2 by the Kubernetes Indexed Job's container command. Where Landlock is
    there, all four run as a pod runs where user namespaces are blocked
    (``tests/blocked_userns.py``: an ordinary user, no capabilities)."""
    root = tmp_path_factory.mktemp("sharded")
    submissions = small_class(root / "submissions")
    options = ["--only", ONLY, "--timeout", TIMEOUT, "--workers", "1"]
    out = root / "sharded"
    to_cluster = [str(submissions), "--out", str(out), "--shards", "3"]
    assert cli.main(["cluster", "slurm", *to_cluster, "--", *options]) == 0
    kube = ["--image", "grader:test", "--mount", str(root), "--to", str(root / "k8s")]
    assert cli.main(["cluster", "kubernetes", *to_cluster, *kube, "--", *options]) == 0
    slurm = {"SLURM_ARRAY_TASK_ID": "6", "SLURM_ARRAY_TASK_MIN": "5", "SLURM_ARRAY_TASK_COUNT": "3"}
    pod, pod_env = pod_command(root / "k8s" / "shards.yaml", 2)
    batch_command = [sys.executable, "-m", "grader", "batch", str(submissions), *options]
    walls = [sys.executable, str(BLOCKED)] if HAS_LANDLOCK else []
    commands_at_once(
        ([*walls, *batch_command, "--out", str(root / "whole")], {}),
        ([*walls, *batch_command, "--out", str(out), "--shard", "0/3"], {}),
        ([*walls, "bash", str(out / "cluster" / "grade.sbatch")], slurm),
        ([*walls, *pod], pod_env),
    )
    merge.merge(out)
    return root / "whole", out


def test_three_shards_merged_give_what_one_batch_gives(graded: tuple[Path, Path]) -> None:
    whole, sharded = graded
    assert comparable(sharded) == comparable(whole)
    assert (sharded / "gradebook.csv").read_bytes() == (whole / "gradebook.csv").read_bytes()
    statuses = {
        r["submission"]["id"]: r["submission"]["status"]
        for r in comparable(whole)["reports"].values()
    }
    assert statuses["frank"] == "unreadable" and statuses["alice"] == "graded"
    assert statuses["hana"] == "graded"


def test_hostile_students_are_graded_alike_and_leave_the_others_alone(
    graded: tuple[Path, Path],
) -> None:
    """One leaves its process at import, one hunts for the reference solution: each gets the
    points its honest part earns, in whichever shard it lands, and the others full marks."""
    whole, sharded = graded
    merged = scores(sharded)
    assert merged == scores(whole)
    for student, (least, most) in hostile_scores().items():
        total, _, status = merged[student]
        assert least <= int(total) <= most and status == "graded", (
            f"{student} ({HOSTILE_STUDENTS[student]}, shard {shard_of(student, 3)}): "
            f"{total} ({status}), expected {least} to {most} (graded)"
        )
    assert {"alice", "erin", "hana"} <= full_marks(merged), merged


@pytest.mark.skipif(not HAS_LANDLOCK, reason="needs Linux namespaces and Landlock")
def test_a_pod_grades_without_user_namespaces_and_says_which_walls_stood(
    graded: tuple[Path, Path],
) -> None:
    _, sharded = graded
    pod = sharded / "shards" / "2"  # the Indexed Job's command, where namespaces are blocked
    ids = shards.read_record(pod).ids
    graded_here = [json.loads((pod / f"{s}.json").read_text()) for s in ids if s != "frank"]
    assert graded_here, "shard 2 graded someone"
    for report in graded_here:
        layers = {layer["name"]: layer["active"] for layer in report["isolation"]["layers"]}
        assert report["isolation"]["level"] == "process"
        assert not layers["namespaces"] and layers["landlock"], layers


def test_each_shard_grades_its_own_students_and_says_so(graded: tuple[Path, Path]) -> None:
    _, sharded = graded
    everyone = sorted(p.stem for p in graded[0].glob("*.json"))
    records = [shards.read_record(sharded / "shards" / str(k)) for k in range(3)]
    assert [r.shard for r in records] == [Shard(0, 3), Shard(1, 3), Shard(2, 3)]
    assert all(r.finished and list(r.class_ids) == everyone for r in records)
    for record in records:
        assert list(record.ids) == [s for s in everyone if shard_of(s, 3) == record.shard.index]
        folder = sharded / "shards" / str(record.shard.index)
        assert sorted(p.stem for p in folder.glob("*.json") if p.name != "shard.json") == list(
            record.ids
        )
    assert sorted(s for r in records for s in r.ids) == everyone


def test_a_rerun_of_a_shard_keeps_its_reports(graded: tuple[Path, Path]) -> None:
    whole, sharded = graded
    records = [shards.read_record(sharded / "shards" / str(k)) for k in range(3)]
    record = next(r for r in records if r.ids and "frank" not in r.ids)  # frank's is retried
    folder = sharded / "shards" / str(record.shard.index)
    before = {p.name: p.read_bytes() for p in folder.glob("*.json")}
    options = ["--only", ONLY, "--timeout", TIMEOUT, "--shard", str(record.shard)]
    again = grader("batch", str(whole.parent / "submissions"), "--out", str(sharded), *options)
    assert again.returncode == 0, again.stderr
    assert f"({len(record.ids)} skipped, unchanged)" in again.stdout
    assert {p.name: p.read_bytes() for p in folder.glob("*.json")} == before


# The split: a pure function of the id.


def test_a_new_submission_changes_only_the_shard_it_lands_in() -> None:
    students = [f"student{i:03d}" for i in range(200)]
    before = split(students, 5)
    after = split([*students, "newcomer"], 5)
    landed = shard_of("newcomer", 5)
    assert after[landed] == [*before[landed], "newcomer"]
    assert all(after[k] == before[k] for k in range(5) if k != landed)


def test_one_more_shard_moves_only_students_into_the_new_shard() -> None:
    students = [f"s{i}" for i in range(1000)]
    moved = [s for s in students if shard_of(s, 4) != shard_of(s, 5)]
    assert moved and all(shard_of(s, 5) == 4 for s in moved)
    assert len(moved) < 300  # about one in five


def test_shards_are_balanced_as_the_docstring_says() -> None:
    sizes = [len(part) for part in split([f"id{i}" for i in range(3000)], 10).values()]
    assert all(abs(size - 300) <= 4 * 16 for size in sizes), sizes  # within 4 sd


def test_the_shard_comes_from_the_command_line_or_the_scheduler() -> None:
    assert parse_shard("2/5", {}) == Shard(2, 5)
    slurm = {"SLURM_ARRAY_TASK_ID": "3", "SLURM_ARRAY_TASK_COUNT": "4"}
    assert parse_shard("auto", slurm) == Shard(3, 4)
    assert parse_shard("auto", {**slurm, "SLURM_ARRAY_TASK_ID": "4", "SLURM_ARRAY_TASK_MIN": "1"})
    assert parse_shard("auto", {"JOB_COMPLETION_INDEX": "1"}, count=2) == Shard(1, 2)
    assert parse_shard("auto", {"JOB_COMPLETION_INDEX": "1", "GRADER_SHARD_COUNT": "3"}) == Shard(
        1, 3
    )
    for text, environ, why in (
        ("5/5", {}, "index must be 0 to count - 1"),
        ("1-of-2", {}, "expected K/N"),
        ("auto", {}, "neither SLURM_ARRAY_TASK_ID"),
        ("auto", {"JOB_COMPLETION_INDEX": "0"}, "--shard-count or GRADER_SHARD_COUNT"),
        ("auto", {"SLURM_ARRAY_TASK_ID": "x", "SLURM_ARRAY_TASK_COUNT": "2"}, "not a whole"),
    ):
        with pytest.raises(shards.ShardError, match=why):
            parse_shard(text, environ)


def test_a_bad_shard_is_refused_before_grading(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "class").mkdir()
    args = ["batch", str(tmp_path / "class"), "--out", str(tmp_path / "out"), "--shard", "3/3"]
    assert cli.main(args) == 2
    assert "shard 3/3: the index must be" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


# The merge's refusals, from shard folders made of small fixture reports (no grading).

GRADED_WITH = {"grader": "test", "hidden_tests": None, "options": {"lang": "en"}}


def fixture_report(student: str, graded_with: dict[str, Any]) -> ScoreReport:
    report = report_with_score(student, {"sigmoid"})
    assert report.submission is not None
    return replace(report, submission=replace(report.submission, graded_with=graded_with))


def fake_shard(
    out: Path,
    index: int,
    count: int,
    students: list[str],
    *,
    graded_with: dict[str, Any] = GRADED_WITH,
    finished: bool = True,
    everyone: tuple[str, ...] = (),
) -> None:
    folder = Shard(index, count).folder(out)
    for student in students:
        write_report(fixture_report(student, graded_with), folder / f"{student}.json")
    record = ShardRecord(
        Shard(index, count),
        tuple(students),
        everyone or tuple(students),
        graded_with,
        False,
        finished,
    )
    shards.write_record(record, folder)


def class_of_three(out: Path, **changes: Any) -> None:
    """alice, bob, carol (and dan) split into 3 shards by their hash; ``changes`` by shard."""
    everyone = ("alice", "bob", "carol", "dan")
    for index, students in split(everyone, 3).items():
        fake_shard(out, index, 3, students, everyone=everyone, **changes.get(str(index), {}))


def test_the_fixture_class_merges(tmp_path: Path) -> None:
    class_of_three(tmp_path)
    merged = merge.merge(tmp_path)
    assert [o.id for o in merged.outcomes] == ["alice", "bob", "carol", "dan"]
    rows = (tmp_path / "gradebook.csv").read_text().splitlines()
    assert rows[0].startswith("id,total,max") and len(rows) == 5
    assert (tmp_path / "dan.json").read_bytes() == (
        Shard(shard_of("dan", 3), 3).folder(tmp_path) / "dan.json"
    ).read_bytes()


def test_shards_graded_with_another_grader_are_refused(tmp_path: Path) -> None:
    other = {**GRADED_WITH, "grader": "0.2+other"}
    class_of_three(tmp_path, **{"2": {"graded_with": other}})
    with pytest.raises(merge.MergeError, match="graded differently") as refused:
        merge.merge(tmp_path)
    assert "shard 2: grader='0.2+other'" in str(refused.value)
    assert "shard 0, shard 1: grader='test'" in str(refused.value)
    assert not (tmp_path / "gradebook.csv").exists()


def test_shards_graded_with_other_options_or_hidden_suites_are_refused(tmp_path: Path) -> None:
    other = {**GRADED_WITH, "hidden_tests": "abc123", "options": {"lang": "ko"}}
    class_of_three(tmp_path, **{"1": {"graded_with": other}})
    with pytest.raises(merge.MergeError) as refused:
        merge.merge(tmp_path)
    assert "shard 1: hidden_tests='abc123', options.lang='ko'" in str(refused.value)


def test_a_report_graded_otherwise_than_its_shard_is_named(tmp_path: Path) -> None:
    class_of_three(tmp_path)
    index = shard_of("bob", 3)
    other = {**GRADED_WITH, "grader": "older"}
    write_report(fixture_report("bob", other), Shard(index, 3).folder(tmp_path) / "bob.json")
    with pytest.raises(merge.MergeError, match=f"bob.json of shard {index}: grader='older'"):
        merge.merge(tmp_path)


def test_a_student_in_two_shards_is_refused(tmp_path: Path) -> None:
    fake_shard(tmp_path, 0, 2, ["alice", "bob"])
    fake_shard(tmp_path, 1, 2, ["bob", "carol"])
    with pytest.raises(merge.MergeError, match="more than one shard: bob in shards 0, 1"):
        merge.merge(tmp_path)


def test_missing_and_unfinished_shards_are_refused_and_listed(tmp_path: Path) -> None:
    everyone = ("alice", "bob", "carol", "dan")
    parts = split(everyone, 4)
    fake_shard(tmp_path, 0, 4, parts[0], everyone=everyone)
    fake_shard(tmp_path, 2, 4, parts[2], everyone=everyone, finished=False)
    with pytest.raises(merge.MergeError) as refused:
        merge.merge(tmp_path)
    assert "missing shards of 4: 1, 3" in str(refused.value)
    assert "unfinished shards: 2" in str(refused.value)
    absent = sorted(parts[1] + parts[3])
    assert f"{len(absent)} students without a report: {', '.join(absent)}" in str(refused.value)


def test_a_partial_merge_marks_the_missing_students(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    everyone = ("alice", "bob", "carol", "dan")
    parts = split(everyone, 3)
    gone = max(parts, key=lambda k: len(parts[k]))  # the shard that did not run
    for index in set(parts) - {gone}:
        fake_shard(tmp_path, index, 3, parts[index], everyone=everyone)
    assert cli.main(["merge", str(tmp_path), "--partial"]) == 0
    said = capsys.readouterr().err
    assert all(f"{s} (shard {gone})" in said for s in parts[gone])
    lines = (tmp_path / "gradebook.csv").read_text().splitlines()
    rows = {line.split(",")[0]: line for line in lines}
    assert list(rows) == ["id", *everyone]
    for student in everyone:
        if student in parts[gone]:
            assert rows[student].endswith(",not graded") and ",," in rows[student]
            assert not (tmp_path / f"{student}.json").exists()
        else:
            assert rows[student].endswith(",graded")
    assert cli.main(["merge", str(tmp_path)]) == 2
    assert f"missing shards of 3: {gone}" in capsys.readouterr().err


def test_shards_split_in_different_numbers_are_refused(tmp_path: Path) -> None:
    fake_shard(tmp_path, 0, 2, ["alice"])
    fake_shard(tmp_path, 1, 3, ["bob"])
    with pytest.raises(merge.MergeError, match="shards 0 of 2; shards 1 of 3"):
        merge.merge(tmp_path)


def test_nothing_to_merge_is_refused(tmp_path: Path) -> None:
    with pytest.raises(merge.MergeError, match="no shard has been graded"):
        merge.merge(tmp_path)


# The scheduler's files (no Slurm, no cluster: the scripts and manifests themselves).


def test_the_slurm_script_is_an_array_with_a_merge_after_it(tmp_path: Path) -> None:
    (tmp_path / "class").mkdir()
    out = tmp_path / "out"
    slurm = ["--partition", "gpu", "--time", "2:00:00", "--cpus-per-task", "4", "--mem", "8G"]
    args = ["cluster", "slurm", str(tmp_path / "class"), "--out", str(out), "--shards", "5"]
    assert cli.main([*args, *slurm, "--", "--only", ONLY]) == 0
    grade = (out / "cluster" / "grade.sbatch").read_text().splitlines()
    for line in (
        "#SBATCH --array=0-4",
        "#SBATCH --partition=gpu",
        "#SBATCH --time=2:00:00",
        "#SBATCH --cpus-per-task=4",
        "#SBATCH --mem=8G",
    ):
        assert line in grade
    assert grade[-1].endswith(f"--out {out} --shard auto --workers 4 --only {ONLY}")
    merge_job = (out / "cluster" / "merge.sbatch").read_text()
    assert merge_job.rstrip().endswith(f"grader merge {out} --partial")
    chdir = f"#SBATCH --chdir={GRADER_ROOT}"  # not sbatch's folder: python -m puts it on sys.path
    assert chdir in grade and chdir in merge_job.splitlines(), (grade, merge_job)
    submit = (out / "cluster" / "submit.sh").read_text()
    assert "job=$(sbatch --parsable" in submit
    assert "sbatch --parsable --dependency=afterany:${job%%;*}" in submit


def test_submit_hands_the_array_then_the_dependent_merge_to_sbatch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    bin_folder, calls = tmp_path / "bin", tmp_path / "calls"
    bin_folder.mkdir()
    (bin_folder / "sbatch").write_text(
        f'#!/bin/sh\necho "$@" >> {calls}\necho "$(wc -l < {calls} | tr -d " ")41;cluster"\n'
    )
    (bin_folder / "sbatch").chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    (tmp_path / "class").mkdir()
    out = tmp_path / "out"
    args = ["cluster", "slurm", str(tmp_path / "class"), "--out", str(out), "--shards", "2"]
    assert cli.main([*args, "--submit"]) == 0
    folder = out / "cluster"
    assert calls.read_text().splitlines() == [
        f"--parsable {folder / 'grade.sbatch'}",
        f"--parsable --dependency=afterany:141 {folder / 'merge.sbatch'}",
    ]


def test_submit_without_sbatch_says_so(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))
    (tmp_path / "class").mkdir()
    args = ["cluster", "slurm", str(tmp_path / "class"), "--out", str(tmp_path / "o")]
    with pytest.raises(RuntimeError, match="sbatch is not on PATH"):
        cluster.submit_slurm(tmp_path)
    assert cli.main([*args, "--shards", "2", "--submit"]) == 1


def test_the_kubernetes_job_is_indexed_capped_and_locked_down(tmp_path: Path) -> None:
    args = ["cluster", "kubernetes", "/class/subs", "--out", "/class/out", "--shards", "12"]
    kube = ["--image", "registry.example/grader:1", "--parallelism", "3", "--to", str(tmp_path)]
    assert cli.main([*args, *kube, "--cpu", "1", "--memory", "3Gi", "--", "--only", ONLY]) == 0
    policy, job = yaml.safe_load_all((tmp_path / "shards.yaml").read_text())
    merge_job = yaml.safe_load((tmp_path / "merge.yaml").read_text())
    assert policy["kind"] == "NetworkPolicy" and policy["spec"]["egress"] == []
    assert "Egress" in policy["spec"]["policyTypes"]
    labels = job["spec"]["template"]["metadata"]["labels"]
    assert policy["spec"]["podSelector"]["matchLabels"] == labels
    spec = job["spec"]
    assert spec["completionMode"] == "Indexed" and spec["completions"] == 12
    assert spec["parallelism"] == 3 and spec["backoffLimitPerIndex"] == 1
    for manifest in (job, merge_job):
        pod = manifest["spec"]["template"]["spec"]
        assert pod["automountServiceAccountToken"] is False
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] != 0
        (container,) = pod["containers"]
        security = container["securityContext"]
        assert security["readOnlyRootFilesystem"] is True
        assert security["allowPrivilegeEscalation"] is False
        assert security["capabilities"] == {"drop": ["ALL"]}
        expected = {"cpu": "1", "memory": "3Gi"}
        assert container["resources"] == {"requests": expected, "limits": expected}
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
    command = job["spec"]["template"]["spec"]["containers"][0]["command"]
    assert command[-6:] == ["--shard", "auto", "--workers", "2", "--only", ONLY]
    assert merge_job["spec"]["template"]["spec"]["containers"][0]["command"][-3:] == [
        "merge",
        "/class/out",
        "--partial",
    ]


def test_kubernetes_paths_must_be_inside_the_mounted_claim(tmp_path: Path) -> None:
    args = ["cluster", "kubernetes", "/elsewhere/subs", "--out", "/class/out", "--shards", "2"]
    assert cli.main([*args, "--image", "grader:1", "--to", str(tmp_path)]) == 2
    assert not (tmp_path / "shards.yaml").exists()


def test_a_shards_judges_hide_every_shards_results(tmp_path: Path) -> None:
    """Shard 0's student code must not read shard 1's reports: the whole OUT is hidden."""
    out = tmp_path / "out"
    shard = Shard(0, 2)
    settings = batch.Settings(tmp_path / "class", shard.folder(out), shard=shard)
    command = batch.judge_command(tmp_path / "staged", tmp_path / "r.json", settings)
    hidden = [command[i + 1] for i, word in enumerate(command) if word == "--hide"]
    assert str(out.resolve()) in hidden


def status_class(out: Path) -> None:
    """Shard 0 of 3 done, shard 1 stopped with a traceback in its log, shard 2 not begun."""
    fake_shard(out, 0, 3, ["alice"])
    fake_shard(out, 1, 3, ["bob", "carol"], finished=False)
    (out / "shards" / "1" / "carol.json").unlink()
    logs = out / "cluster" / "logs"
    logs.mkdir(parents=True)
    lines = [f"line {i}" for i in range(30)] + ["MemoryError: out of memory"]
    (logs / "shard-1.out").write_text("\n".join(lines) + "\n")


def test_status_without_a_queue_reads_the_shards_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path / "nothing"))
    status_class(tmp_path)
    text = cluster.status_text(tmp_path)
    assert "shard 0: done, 1 of 1 graded" in text
    assert "shard 1: unfinished, 1 of 2 graded" in text
    assert "shard 2: not started, 0 graded" in text
    assert "--- shard 1: the end of its log ---\nline 21" in text
    assert text.count("line ") == cluster.LOG_TAIL - 1 and "MemoryError" in text


def test_status_asks_slurm_which_tasks_are_still_queued(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    status_class(tmp_path)
    (tmp_path / "cluster" / cluster.JOBS_FILE).write_text('{"array": "77", "merge": "78"}')
    bin_folder = tmp_path / "bin"
    bin_folder.mkdir()
    squeue = bin_folder / "squeue"
    squeue.write_text('#!/bin/sh\n[ "$4" = 77 ] && echo "2 PENDING"\n')
    squeue.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bin_folder}{os.pathsep}{os.environ['PATH']}")
    text = cluster.status_text(tmp_path)
    assert "shard 1: failed, 1 of 2 graded" in text and "MemoryError" in text
    assert "shard 2: pending" in text
    assert text.splitlines()[-1] == "1 done, 1 failed, 1 pending"


MOUNTS = """\
/dev/sda1 / ext4 rw 0 0
tmpfs /tmp tmpfs rw 0 0
server:/home /home nfs4 rw 0 0
lustre@o2ib:/scratch /scratch\\040space lustre rw 0 0
"""


def test_submit_warns_of_paths_only_this_machine_sees() -> None:
    assert cluster.file_system(Path("/home/ta/class"), MOUNTS) == ("/home", "nfs4")
    assert cluster.file_system(Path("/scratch space/out"), MOUNTS) == ("/scratch space", "lustre")
    assert cluster.file_system(Path("/homework"), MOUNTS) == ("/", "ext4")
    paths = [Path("/home/ta/class"), Path("/scratch space/out"), Path("/tmp/out"), Path("/opt")]
    assert cluster.unshared(paths, MOUNTS) == [
        "/tmp/out is on /tmp (tmpfs), not a shared file system",
        "/opt is on / (ext4), not a shared file system",
    ]


def test_the_containerfile_runs_as_the_user_the_pods_require(tmp_path: Path) -> None:
    args = ["cluster", "kubernetes", "/class/s", "--out", "/class/o", "--shards", "2"]
    assert cli.main([*args, "--image", "grader:1", "--to", str(tmp_path)]) == 0
    job = list(yaml.safe_load_all((tmp_path / "shards.yaml").read_text()))[1]
    pod = job["spec"]["template"]["spec"]
    lines = (Path(__file__).resolve().parent.parent / "Containerfile").read_text().splitlines()
    assert f"USER {pod['securityContext']['runAsUser']}:1000" in lines
    assert pod["containers"][0]["command"][0] == "python"  # the image's Python


def test_the_manifests_validate_against_the_kubernetes_schema(tmp_path: Path) -> None:
    validator = pytest.importorskip("kubernetes_validate", reason="pip install .[test]")
    args = ["cluster", "kubernetes", "/class/s", "--out", "/class/o", "--shards", "3"]
    assert cli.main([*args, "--image", "grader:1", "--namespace", "ta", "--to", str(tmp_path)]) == 0
    documents = [
        document
        for name in ("shards.yaml", "merge.yaml")
        for document in yaml.safe_load_all((tmp_path / name).read_text())
    ]
    assert [d["kind"] for d in documents] == ["NetworkPolicy", "Job", "Job"]
    for document in documents:
        validator.validate(document, validator.latest_version(), strict=True)
