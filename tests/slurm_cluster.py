"""A one-node Slurm cluster on this machine, in one folder, for the kit's tests and benches.

``local_slurm(folder)`` starts munged (its own key, socket, pid and log), slurmctld and slurmd
(a ``slurm.conf`` in ``folder``: this machine as its only node, at 127.0.0.1, with the CPUs and
memory ``slurmd -C`` finds, free ports, no cgroups, no accounting), waits until ``sinfo`` shows
the node idle, and yields a ``LocalSlurm`` (``env``: the ``SLURM_CONF`` its clients need). On
the way out, also when the body failed, it cancels the jobs, waits for them to end and stops
every daemon (which the kernel also stops should the process that started them be killed).
Its files stay in ``folder`` (munged's socket excepted when that path is too deep), so it runs
beside a machine's own Slurm or another such cluster. Needs Debian's ``slurmctld``,
``slurmd``, ``slurm-client`` and ``munge`` (``.ci/run`` installs them), and root: the daemons
run as the user who starts them and the jobs as root. ``tests/test_slurm_cluster.py`` and
``bench/shards_overhead.py --slurm`` use it.
"""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from pathlib import Path

from grader.isolation.sandbox import die_with_parent

SYSTEM_BIN = ("/usr/sbin", "/sbin")
PROGRAMS = ("munged", "slurmctld", "slurmd", "sinfo", "sbatch", "scontrol", "squeue", "scancel")
PARTITION = "grading"
START_TIMEOUT = 60.0
"""Seconds for the node to come up idle: slurmd registers within a few."""
SOCKET_PATH_MAX = 107
"""Bytes of a Unix socket's path (sun_path, its final NUL left out)."""
STOP_TIMEOUT = 30.0
"""Seconds for cancelled jobs to end before their processes are killed."""
FINISHED = frozenset(
    {
        "COMPLETED",
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "NODE_FAIL",
        "OUT_OF_MEMORY",
        "PREEMPTED",
        "BOOT_FAIL",
        "DEADLINE",
    }
)
"""Job states a job does not leave."""
LOG_TAIL = 20


class SlurmError(RuntimeError):
    """The cluster did not come up or a job did not finish: the message shows the logs."""


def program(name: str) -> str | None:
    """Where ``name`` is: on PATH, or in the system folders a user's PATH may leave out (the
    daemons are in /usr/sbin)."""
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *SYSTEM_BIN]))


def _run_path(args: Sequence[str]) -> list[str]:
    return [program(args[0]) or args[0], *args[1:]]


def missing() -> list[str]:
    """The programs a local cluster needs that ``program`` does not find (empty: none)."""
    return [name for name in PROGRAMS if program(name) is None]


def unavailable() -> str | None:
    """Why no local cluster can start here, or None."""
    absent = missing()
    if absent:
        return (
            f"Slurm and munge are not installed ({', '.join(absent)} neither on PATH nor in "
            f"{', '.join(SYSTEM_BIN)}): "
            "apt-get install slurmctld slurmd slurm-client munge, as .ci/run does"
        )
    if os.geteuid() != 0:
        return "a local Slurm cluster runs its daemons and jobs as root: run as root"
    return None


@dataclass(frozen=True)
class LocalSlurm:
    folder: Path
    conf: Path
    node: str
    partition: str
    cpus: int

    @property
    def env(self) -> dict[str, str]:
        """What Slurm's clients (sbatch, squeue, scontrol) need to find this cluster."""
        return {"SLURM_CONF": str(self.conf)}

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            _run_path(args),
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
            env={**os.environ, **self.env},
        )
        if check and done.returncode != 0:
            raise SlurmError(
                f"{' '.join(args)} exited with {done.returncode}: {done.stderr.strip()}\n"
                + self.logs()
            )
        return done

    def job_states(self, job: str) -> list[str]:
        """The state of each of the job's tasks (one for a plain job, one per array task), as
        ``scontrol show job`` gives them (kept MinJobAge seconds after the end)."""
        shown = self.run("scontrol", "show", "job", "--oneliner", job)
        return [
            word.partition("=")[2]
            for line in shown.stdout.splitlines()
            for word in line.split()
            if word.startswith("JobState=")
        ]

    def wait(self, job: str, timeout: float) -> list[str]:
        """Wait until every task of ``job`` has finished: their states. ``SlurmError`` with the
        daemons' logs when it takes more than ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while True:
            states = self.job_states(job)
            if states and all(state in FINISHED for state in states):
                return states
            if time.monotonic() > deadline:
                raise SlurmError(
                    f"job {job} not finished after {timeout:.0f} s: {states}\n" + self.logs()
                )
            time.sleep(0.5)

    def logs(self) -> str:
        """The end of each daemon's log, to say why the cluster or a job misbehaved."""
        parts = []
        for name in ("munged", "slurmctld", "slurmd"):
            log = self.folder / f"{name}.log"
            if log.exists():
                tail = log.read_text(errors="replace").splitlines()[-LOG_TAIL:]
                parts.append(f"--- the end of {log} ---\n" + "\n".join(tail))
        return "\n".join(parts)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def node_line() -> tuple[str, int, str]:
    """This machine as Slurm sees it: its name, CPUs, and its ``slurmd -C`` NodeName line
    (CPUs, sockets, cores, threads, RealMemory in MiB)."""
    found = subprocess.run(_run_path(["slurmd", "-C"]), capture_output=True, text=True, check=True)
    line = found.stdout.splitlines()[0]
    fields = dict(word.partition("=")[::2] for word in line.split())
    return fields["NodeName"], int(fields["CPUs"]), line


def slurm_conf(folder: Path, munge_socket: Path, node: str) -> str:
    """A one-node cluster's configuration: the node at 127.0.0.1, its state and logs in
    ``folder``, root as Slurm's user, process tracking without cgroups (a container's cgroups
    are seldom Slurm's to take), no accounting."""
    short = node.split()[0].partition("=")[2]
    settings = {
        "ClusterName": "grader-local",
        "SlurmctldHost": f"{short}(127.0.0.1)",
        "SlurmctldPort": free_port(),
        "SlurmdPort": free_port(),
        "SlurmUser": "root",
        "SlurmdUser": "root",
        "AuthType": "auth/munge",
        "CredType": "cred/munge",
        "AuthInfo": f"socket={munge_socket}",
        "StateSaveLocation": folder / "state",
        "SlurmdSpoolDir": folder / "spool",
        "SlurmctldPidFile": folder / "slurmctld.pid",
        "SlurmdPidFile": folder / "slurmd.pid",
        "SlurmctldLogFile": folder / "slurmctld.log",
        "SlurmdLogFile": folder / "slurmd.log",
        "PlugStackConfig": folder / "plugstack.conf",
        "ProctrackType": "proctrack/linuxproc",
        "TaskPlugin": "task/none",
        "JobAcctGatherType": "jobacct_gather/none",
        "AccountingStorageType": "accounting_storage/none",
        "JobCompType": "jobcomp/none",
        "SelectType": "select/cons_tres",
        "SelectTypeParameters": "CR_Core",
        "SchedulerType": "sched/backfill",
        "MpiDefault": "none",
        "ReturnToService": 2,
        "MinJobAge": 600,
        "SlurmctldDebug": "info",
        "SlurmdDebug": "info",
    }
    lines = [f"{key}={value}" for key, value in settings.items()]
    lines.append(f"{node} NodeAddr=127.0.0.1 State=UNKNOWN")
    lines.append(f"PartitionName={PARTITION} Nodes=ALL Default=YES MaxTime=INFINITE State=UP")
    return "\n".join(lines) + "\n"


def _munged(folder: Path, stack: ExitStack) -> Path:
    """Start munged with a new key in ``folder``: its socket."""
    munge = folder / "munge"
    if len(str(munge / "munge.socket.lock")) > SOCKET_PATH_MAX:  # a deep TMPDIR
        munge = Path(tempfile.mkdtemp(prefix="munge-", dir="/tmp"))
        stack.callback(shutil.rmtree, munge, ignore_errors=True)
    else:
        munge.mkdir(mode=0o700)
    key = munge / "munge.key"
    key.write_bytes(os.urandom(1024))
    key.chmod(0o400)
    socket_path = munge / "munge.socket"
    command = [
        "munged",
        "--foreground",
        "--force",
        f"--socket={socket_path}",
        f"--key-file={key}",
        f"--pid-file={munge / 'munged.pid'}",
        f"--seed-file={munge / 'munged.seed'}",
        f"--log-file={folder / 'munged.log'}",
    ]
    _daemon(command, folder / "munged.out", stack)
    _until(lambda: socket_path.exists(), f"munged's socket {socket_path}", folder)
    return socket_path


def _daemon(command: list[str], output: Path, stack: ExitStack) -> None:
    """Start a daemon in the foreground, in its own process group; stop it (TERM, then KILL)
    when ``stack`` closes, and have the kernel stop it if this process is killed first."""
    with output.open("wb") as out:
        process = subprocess.Popen(
            _run_path(command),
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            preexec_fn=lambda: die_with_parent(signal.SIGTERM),
        )
    stack.callback(_stop, process)


def _stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=15)


def _until(ready: Callable[[], bool], what: str, folder: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while not ready():
        if time.monotonic() > deadline:
            outputs = "\n".join(
                f"--- {p} ---\n{p.read_text(errors='replace')[-2000:]}"
                for p in sorted(folder.glob("*.out")) + sorted(folder.glob("*.log"))
            )
            raise SlurmError(f"{what} not ready after {START_TIMEOUT:.0f} s\n{outputs}")
        time.sleep(0.2)


def _end_jobs(conf: Path, folder: Path) -> None:
    """Cancel every job of the cluster and wait for its steps to end; then kill the session of
    any job step still running (a slurmstepd holds the folder's slurmd.log open), so that
    stopping the daemons leaves nothing behind."""
    env = {**os.environ, "SLURM_CONF": str(conf)}
    cancel = ["scancel", "--full", f"--user={os.geteuid()}"]
    subprocess.run(_run_path(cancel), env=env, check=False)
    deadline = time.monotonic() + STOP_TIMEOUT
    while time.monotonic() < deadline:
        queued = subprocess.run(
            _run_path(["squeue", "--noheader", "--format", "%i"]),
            capture_output=True,
            text=True,
            env=env,
            check=False,
        )
        if queued.returncode != 0 or not queued.stdout.strip():
            break
        time.sleep(0.5)
    log = str(folder / "slurmd.log")
    for step in _processes_holding(log, "slurmstepd"):
        session = os.getsid(step)
        for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
            with suppress(OSError):
                if os.getsid(pid) == session:
                    os.kill(pid, signal.SIGKILL)


def _processes_holding(path: str, name: str) -> list[int]:
    """The processes called ``name`` that have ``path`` open."""
    holding = []
    for pid in [int(p) for p in os.listdir("/proc") if p.isdigit()]:
        with suppress(OSError):
            if Path(f"/proc/{pid}/comm").read_text().strip() != name:
                continue
            fds = Path(f"/proc/{pid}/fd")
            if any(os.readlink(fd).startswith(path) for fd in fds.iterdir()):
                holding.append(pid)
    return holding


def _node_idle(conf: Path, partition: str) -> bool:
    shown = subprocess.run(
        _run_path(["sinfo", "--noheader", "--partition", partition, "--format", "%t"]),
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "SLURM_CONF": str(conf)},
    )
    return shown.returncode == 0 and shown.stdout.split() == ["idle"]


@contextmanager
def local_slurm(folder: Path) -> Iterator[LocalSlurm]:
    """A running one-node cluster whose files are all in ``folder`` (created; munged's socket
    goes to a folder of its own in /tmp when ``folder`` is too deep for a socket's path).
    ``SlurmError`` with the daemons' output when it does not come up."""
    why = unavailable()
    if why:
        raise SlurmError(why)
    folder.mkdir(parents=True, exist_ok=True)
    for sub in ("state", "spool"):
        (folder / sub).mkdir(exist_ok=True)
    (folder / "plugstack.conf").write_text("")
    name, cpus, node = node_line()
    with ExitStack() as stack:
        munge_socket = _munged(folder, stack)
        conf = folder / "slurm.conf"
        conf.write_text(slurm_conf(folder, munge_socket, node), encoding="utf-8")
        env_conf = ["-f", str(conf)]
        _daemon(["slurmctld", "-D", "-c", "-i", *env_conf], folder / "slurmctld.out", stack)
        _daemon(["slurmd", "-D", *env_conf], folder / "slurmd.out", stack)
        stack.callback(_end_jobs, conf, folder)
        _until(lambda: _node_idle(conf, PARTITION), f"node {name} idle in sinfo", folder)
        yield LocalSlurm(folder, conf, name, PARTITION, cpus)
