"""``grader cluster``: the files that grade a class as shards on the university's scheduler.

``slurm`` writes a job-array script whose task ``K`` runs ``grader batch ... --shard auto``
(``SLURM_ARRAY_TASK_ID`` of ``SLURM_ARRAY_TASK_COUNT``) and a merge job that runs after the
whole array (``--dependency=afterany:<array job>``), and with ``submit`` hands both to
``sbatch``. It assumes SUBMISSIONS, OUT and this Python are on a file system every node
mounts at the same path. ``kubernetes`` writes an Indexed Job (one completion index per shard,
``parallelism`` capped), a merge Job, and a NetworkPolicy that denies the pods all traffic;
the pods run as a non-root user on a read-only root file system with no service-account
token, no privilege escalation and no capabilities.

The merge runs with ``--partial``: when some shards failed, the gradebook still comes, with
their students marked ``not graded``, and the merge's log names them.
"""

import json
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader import GRADER_ROOT
from grader.commands.shards import (
    SHARD_COUNT_VARIABLE,
    SHARD_FILE,
    SHARDS_FOLDER,
    ShardError,
    read_record,
)

CLUSTER_FOLDER = "cluster"
JOBS_FILE = "jobs.json"
"""``OUT/cluster/jobs.json``: the Slurm job ids ``--submit`` got, for ``grader cluster status``."""
LOG_TAIL = 10
LABEL = "app.kubernetes.io/name"
DEFAULT_PARALLELISM = 4
"""Kubernetes pods graded at once: a class must not crowd out the hub it shares nodes with."""


@dataclass(frozen=True)
class Plan:
    """What to grade, where, in how many shards, with which ``grader batch`` options."""

    submissions: Path
    out: Path
    shards: int
    batch_options: tuple[str, ...] = ()
    """Passed to every shard's ``grader batch`` as they are (``--only``, ``--timeout``, ...)."""

    def __post_init__(self) -> None:
        if self.shards < 1:
            raise ValueError("--shards must be 1 or more")

    @property
    def folder(self) -> Path:
        return self.out / CLUSTER_FOLDER

    def batch_command(self, python: str, workers: int | None) -> list[str]:
        command = [python, "-m", "grader", "batch", str(self.submissions), "--out", str(self.out)]
        command += ["--shard", "auto"]
        if workers is not None and "--workers" not in self.batch_options:
            command += ["--workers", str(workers)]
        return [*command, *self.batch_options]

    def merge_command(self, python: str) -> list[str]:
        return [python, "-m", "grader", "merge", str(self.out), "--partial"]


@dataclass(frozen=True)
class SlurmOptions:
    partition: str | None = None
    time: str | None = None
    """Each task's wall-time limit, as sbatch reads it (``2:00:00``)."""
    cpus_per_task: int | None = None
    """Also each shard's ``--workers`` (one submission per core)."""
    mem: str | None = None
    python: str = field(default_factory=lambda: sys.executable)


def _sbatch_lines(name: str, options: SlurmOptions, log: Path) -> list[str]:
    """The job's ``#SBATCH`` lines. It runs in the kit's own folder (``--chdir``), not in the
    one sbatch ran in: the grader's processes start with ``python -m``, which puts their
    working folder on ``sys.path``, and the sandbox leaves every folder there readable to
    student code (and, as root, needs it crossable by the sandbox's uid: a home folder closed
    to others turned that layer off). The kit's folder is the one it already keeps out."""
    lines = ["#!/bin/bash", f"#SBATCH --job-name={name}", f"#SBATCH --output={log}"]
    lines.append(f"#SBATCH --chdir={GRADER_ROOT}")
    for flag, value in (
        ("partition", options.partition),
        ("time", options.time),
        ("cpus-per-task", options.cpus_per_task),
        ("mem", options.mem),
    ):
        if value is not None:
            lines.append(f"#SBATCH --{flag}={value}")
    return lines


def slurm_scripts(plan: Plan, options: SlurmOptions) -> dict[str, str]:
    """``grade.sbatch`` (the job array), ``merge.sbatch`` and ``submit.sh`` by file name."""
    logs = plan.folder / "logs"
    grade = _sbatch_lines("grader-shards", options, logs / "shard-%a.out")
    grade.insert(2, f"#SBATCH --array=0-{plan.shards - 1}")
    command = plan.batch_command(options.python, options.cpus_per_task)
    grade += ["set -euo pipefail", f"exec {shlex.join(command)}", ""]
    merge_options = SlurmOptions(partition=options.partition, time=options.time)
    merge = _sbatch_lines("grader-merge", merge_options, logs / "merge.out")
    merge += ["set -euo pipefail", f"exec {shlex.join(plan.merge_command(options.python))}", ""]
    folder = shlex.quote(str(plan.folder))
    submit = [
        "#!/bin/sh",
        "set -eu",
        f"job=$(sbatch --parsable {folder}/grade.sbatch)",
        f"sbatch --parsable --dependency=afterany:${{job%%;*}} {folder}/merge.sbatch",
        "",
    ]
    return {
        "grade.sbatch": "\n".join(grade),
        "merge.sbatch": "\n".join(merge),
        "submit.sh": "\n".join(submit),
    }


def write_files(folder: Path, files: dict[str, str]) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "logs").mkdir(exist_ok=True)
    written = []
    for name, text in files.items():
        path = folder / name
        path.write_text(text, encoding="utf-8")
        if name.endswith((".sh", ".sbatch")):
            path.chmod(0o755)
        written.append(path)
    return written


def submit_slurm(folder: Path, sbatch: str = "sbatch") -> tuple[str, str]:
    """Submit the array, then the merge after it: the two job ids. ``RuntimeError`` saying why
    when ``sbatch`` is missing or refuses."""
    if shutil.which(sbatch) is None:
        raise RuntimeError(f"{sbatch} is not on PATH: run this on a Slurm login node")

    def submitted(*args: str) -> str:
        done = subprocess.run(
            [sbatch, "--parsable", *args], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise RuntimeError(f"sbatch {' '.join(args)} failed: {done.stderr.strip()}")
        return done.stdout.strip().split(";")[0]

    array = submitted(str(folder / "grade.sbatch"))
    merge = submitted(f"--dependency=afterany:{array}", str(folder / "merge.sbatch"))
    jobs = json.dumps({"array": array, "merge": merge}) + "\n"
    (folder / JOBS_FILE).write_text(jobs, encoding="utf-8")
    return array, merge


SHARED_FILE_SYSTEMS = frozenset(
    {"nfs", "nfs4", "lustre", "gpfs", "beegfs", "cephfs", "ceph", "glusterfs", "panfs",
     "wekafs", "orangefs", "pvfs2", "fuse.glusterfs", "fuse.sshfs", "fuse.ceph", "smb3", "cifs"}
)  # fmt: skip
"""File systems every node of a cluster can mount at the same path."""


def file_system(path: Path, mounts: str) -> tuple[str, str]:
    """The mount point and type of the file system that holds ``path``, from ``/proc/mounts``'s
    text (device, mount point, type, ...; spaces in a mount point are written ``\\040``)."""
    best = ("/", "unknown")
    resolved = path.resolve()
    for line in mounts.splitlines():
        fields = line.split()
        if len(fields) < 3:
            continue
        point = Path(fields[1].replace("\\040", " "))
        if (point == resolved or point in resolved.parents) and len(str(point)) >= len(best[0]):
            best = (str(point), fields[2])
    return best


def unshared(paths: Sequence[Path], mounts: str) -> list[str]:
    """Why each of ``paths`` may not be seen by every node: on a file system of this machine's
    own (fine on a one-node cluster, not on more)."""
    problems = []
    for path in paths:
        point, kind = file_system(path, mounts)
        if kind not in SHARED_FILE_SYSTEMS:
            problems.append(f"{path} is on {point} ({kind}), not a shared file system")
    return problems


@dataclass(frozen=True)
class ShardState:
    """What became of one shard, as its files (and Slurm's queue, when it answers) say."""

    index: int
    state: str
    """``done``, ``pending``, ``running``, ``failed``, ``unfinished`` (running or failed:
    no queue to ask) or ``not started``."""
    graded: int = 0
    """Reports written so far."""
    students: int | None = None
    """The students it was given, once it started."""
    log_tail: str = ""
    """The end of its Slurm log, when it failed or may have."""


def _queued(folder: Path, squeue: str = "squeue") -> dict[int, str] | None:
    """The array's tasks still in Slurm's queue and their state (``pending``, ``running``), or
    None when there is no queue to ask (no job id recorded, no ``squeue``)."""
    jobs = folder / JOBS_FILE
    if not jobs.exists() or shutil.which(squeue) is None:
        return None
    array = json.loads(jobs.read_text(encoding="utf-8"))["array"]
    done = subprocess.run(
        [squeue, "-h", "-r", "-j", str(array), "-o", "%K %T"],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        return None if "Invalid job id" not in done.stderr else {}
    queued = {}
    for line in done.stdout.splitlines():
        task, _, state = line.strip().partition(" ")
        if task.isdigit():
            queued[int(task)] = state.lower()
    return queued


def shard_count(out: Path) -> int | None:
    """The number of shards: from a shard's record, else from the array script."""
    for record_file in sorted((out / SHARDS_FOLDER).glob(f"*/{SHARD_FILE}")):
        try:
            return read_record(record_file.parent).shard.count
        except ShardError:
            continue
    script = out / CLUSTER_FOLDER / "grade.sbatch"
    if script.exists():
        found = re.search(r"^#SBATCH --array=0-(\d+)$", script.read_text(), re.MULTILINE)
        if found:
            return int(found[1]) + 1
    return None


def shard_states(out: Path, queued: Mapping[int, str] | None = None) -> list[ShardState]:
    """Every shard's state; ``queued``: the tasks Slurm still holds (None: unknown)."""
    count = shard_count(out)
    if count is None:
        return []
    states = []
    for index in range(count):
        folder = out / SHARDS_FOLDER / str(index)
        log = out / CLUSTER_FOLDER / "logs" / f"shard-{index}.out"
        try:
            record = read_record(folder)
        except ShardError:
            record = None
        graded = len([p for p in folder.glob("*.json") if p.name != SHARD_FILE])
        students = len(record.ids) if record else None
        if record is not None and record.finished:
            states.append(ShardState(index, "done", graded, students))
            continue
        if queued is not None and index in queued:
            states.append(ShardState(index, queued[index], graded, students))
            continue
        started = record is not None or log.exists()
        tail = (
            "\n".join(log.read_text(errors="replace").splitlines()[-LOG_TAIL:])
            if log.exists()
            else ""
        )
        if not started:
            state = "not started" if queued is None else "failed"
        else:
            state = "unfinished" if queued is None else "failed"
        states.append(ShardState(index, state, graded, students, tail))
    return states


def status_text(out: Path, squeue: str = "squeue") -> str:
    """``grader cluster status``: one line per shard, and the failed ones' log tails."""
    states = shard_states(out, _queued(out / CLUSTER_FOLDER, squeue))
    if not states:
        return f"no shard of {out} has started and no job array script is there"
    lines = []
    for shard in states:
        of = f" of {shard.students}" if shard.students is not None else ""
        lines.append(f"shard {shard.index}: {shard.state}, {shard.graded}{of} graded")
    for shard in states:
        if shard.log_tail and shard.state in ("failed", "unfinished"):
            lines += [f"--- shard {shard.index}: the end of its log ---", shard.log_tail]
    counts = {s: sum(x.state == s for x in states) for s in dict.fromkeys(x.state for x in states)}
    lines.append(", ".join(f"{n} {s}" for s, n in counts.items()))
    return "\n".join(lines)


@dataclass(frozen=True)
class KubernetesOptions:
    image: str
    parallelism: int = DEFAULT_PARALLELISM
    claim: str = "grader-class"
    """The PersistentVolumeClaim that holds SUBMISSIONS and OUT."""
    mount: str = "/class"
    """Where the pods mount it; SUBMISSIONS and OUT are paths as the pods see them."""
    cpu: str = "2"
    memory: str = "4Gi"
    workers: int = 2
    backoff_limit_per_index: int = 1
    name: str = "grader"
    namespace: str | None = None


def _container_security() -> dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "allowPrivilegeEscalation": False,
        "readOnlyRootFilesystem": True,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def _pod(command: Sequence[str], options: KubernetesOptions, env: dict[str, str]) -> dict:
    """A locked-down pod template: non-root, read-only root, no token, no capabilities, a
    private writable /tmp, the class's volume."""
    resources = {"cpu": options.cpu, "memory": options.memory}
    return {
        "metadata": {"labels": {LABEL: options.name}},
        "spec": {
            "restartPolicy": "Never",
            "automountServiceAccountToken": False,
            "enableServiceLinks": False,
            "securityContext": {
                "runAsNonRoot": True,
                "runAsUser": 1000,
                "runAsGroup": 1000,
                "fsGroup": 1000,
                "seccompProfile": {"type": "RuntimeDefault"},
            },
            "containers": [
                {
                    "name": "grader",
                    "image": options.image,
                    "command": list(command),
                    "env": [{"name": k, "value": v} for k, v in env.items()],
                    "securityContext": _container_security(),
                    "resources": {"requests": dict(resources), "limits": dict(resources)},
                    "volumeMounts": [
                        {"name": "class", "mountPath": options.mount},
                        {"name": "tmp", "mountPath": "/tmp"},
                    ],
                }
            ],
            "volumes": [
                {"name": "class", "persistentVolumeClaim": {"claimName": options.claim}},
                {"name": "tmp", "emptyDir": {"sizeLimit": "2Gi"}},
            ],
        },
    }


def _metadata(name: str, options: KubernetesOptions) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name, "labels": {LABEL: options.name}}
    if options.namespace:
        metadata["namespace"] = options.namespace
    return metadata


def kubernetes_manifests(plan: Plan, options: KubernetesOptions) -> dict[str, str]:
    """``shards.yaml`` (the NetworkPolicy and the Indexed Job) and ``merge.yaml`` (the merge
    Job, applied once the shards are done: Kubernetes has no job dependencies)."""
    env = {SHARD_COUNT_VARIABLE: str(plan.shards), "HOME": "/tmp", "MPLCONFIGDIR": "/tmp/mpl"}
    policy = {
        "apiVersion": "networking.k8s.io/v1",
        "kind": "NetworkPolicy",
        "metadata": _metadata(f"{options.name}-deny-all", options),
        "spec": {
            "podSelector": {"matchLabels": {LABEL: options.name}},
            "policyTypes": ["Ingress", "Egress"],
            "ingress": [],
            "egress": [],
        },
    }
    shards = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(f"{options.name}-shards", options),
        "spec": {
            "completionMode": "Indexed",
            "completions": plan.shards,
            "parallelism": min(options.parallelism, plan.shards),
            "backoffLimitPerIndex": options.backoff_limit_per_index,
            "template": _pod(plan.batch_command("python", options.workers), options, env),
        },
    }
    merge = {
        "apiVersion": "batch/v1",
        "kind": "Job",
        "metadata": _metadata(f"{options.name}-merge", options),
        "spec": {
            "backoffLimit": 0,
            "template": _pod(plan.merge_command("python"), options, env),
        },
    }
    try:
        import yaml  # only here: the kit does not need PyYAML otherwise
    except ImportError:
        raise RuntimeError(
            "writing Kubernetes manifests needs PyYAML: pip install pyyaml"
        ) from None
    dump = {"sort_keys": False, "default_flow_style": False}
    return {
        "shards.yaml": yaml.safe_dump_all([policy, shards], **dump),
        "merge.yaml": yaml.safe_dump(merge, **dump),
    }


def kubernetes_steps(folder: Path, options: KubernetesOptions) -> str:
    """The commands that run the manifests, for the instructor to copy."""
    where = f" -n {options.namespace}" if options.namespace else ""
    return "\n".join(
        [
            f"kubectl{where} apply -f {folder / 'shards.yaml'}",
            f"kubectl{where} wait --for=condition=complete --timeout=24h job/{options.name}-shards",
            f"kubectl{where} apply -f {folder / 'merge.yaml'}",
        ]
    )
