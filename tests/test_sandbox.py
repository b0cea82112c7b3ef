"""The walls around a student's process (grader.isolation.sandbox), started both ways the judge
starts one: a fresh interpreter, and a fork of the fork server (grader.isolation.fork_server)."""

import contextlib
import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader import GRADER_ROOT
from grader.isolation.cgroups import Cgroup, CgroupError
from grader.isolation.fork_server import running
from grader.isolation.launch import ADDRESS_VARIABLE
from grader.isolation.policy import sandbox_policy
from grader.isolation.sandbox import POLICY_VARIABLE, Policy
from grader.judge.process import Submission

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/user"), reason="Linux namespaces only"
)
SOLUTION = GRADER_ROOT / "solutions" / "ex01_activations" / "activations.py"


@pytest.fixture(scope="module")
def fork_server() -> Iterator[str]:
    with running() as address:
        yield address


@pytest.fixture(params=["spawned", "forked"])
def start(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    """Start a sandboxed child running the given source; returns its Submission."""
    if request.param == "forked":
        monkeypatch.setenv(ADDRESS_VARIABLE, request.getfixturevalue("fork_server"))
    else:
        monkeypatch.delenv(ADDRESS_VARIABLE, raising=False)
    policy = sandbox_policy([])  # as grader grade walls in every student's process
    if "weak" in request.fixturenames and request.getfixturevalue("weak"):
        policy = replace(policy, namespaces=False)
    monkeypatch.setenv(POLICY_VARIABLE, policy.to_json())
    started: list[Submission] = []

    def start_child(source: str, writable: tuple[str, ...] = (), **changes: Any) -> Submission:
        """``changes``: to the policy, for this child."""
        if changes:
            monkeypatch.setenv(POLICY_VARIABLE, replace(policy, **changes).to_json())
        folder = tmp_path / f"student{len(started)}"
        folder.mkdir()
        path = folder / "probe.py"
        path.write_text(textwrap.dedent(source), encoding="utf-8")
        submission = Submission(path, timeout=30, writable=writable)
        started.append(submission)
        return submission

    yield start_child
    for submission in started:
        submission.close()


def _value(submission: Submission, function: str, *args):
    answer = submission.call(function, *args)
    assert answer.error is None, answer.error
    return answer.value


def test_solutions_and_other_students_are_out_of_sight(start, tmp_path: Path) -> None:
    other = tmp_path / "other-student"
    other.mkdir()
    (other / "answers.py").write_text("secret", encoding="utf-8")
    child = start(
        """
        def read(path):
            try:
                with open(path) as file:
                    return "read: " + file.read(20)
            except OSError as error:
                return type(error).__name__
        """
    )
    assert _value(child, "read", str(SOLUTION)) in ("FileNotFoundError", "PermissionError")
    assert _value(child, "read", str(other / "answers.py")) == "FileNotFoundError"
    if (GRADER_ROOT / ".git").is_dir():  # a checkout's history holds the solutions too
        assert _value(child, "read", str(GRADER_ROOT / ".git" / "HEAD")) == "FileNotFoundError"
    assert _value(child, "read", "/etc/shadow") in ("read: ", "FileNotFoundError")
    assert _value(child, "read", str(child.student_file)).startswith("read: ")
    assert child.isolation == "namespaces"


@pytest.mark.parametrize("how", ["spawned", "forked"])
def test_the_folder_the_grader_was_started_from_stays_out_of_sight(
    how: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A batch started from an instructor's own folder: neither the fork server nor a fresh
    child puts that folder on the student's import path, which the walls keep readable."""
    home = tmp_path / "instructor"
    home.mkdir()
    (home / "other-course-answers.txt").write_text("secret", encoding="utf-8")
    monkeypatch.chdir(home)
    monkeypatch.delenv(ADDRESS_VARIABLE, raising=False)
    monkeypatch.setenv(POLICY_VARIABLE, sandbox_policy([]).to_json())
    probe = tmp_path / "student" / "probe.py"
    probe.parent.mkdir()
    probe.write_text(
        "import sys\n"
        "def peek(path):\n"
        "    try:\n"
        "        return open(path).read()\n"
        "    except OSError as error:\n"
        "        return type(error).__name__\n"
        "def path():\n"
        "    return sys.path\n",
        encoding="utf-8",
    )
    with running() if how == "forked" else contextlib.nullcontext() as address:
        if address:
            monkeypatch.setenv(ADDRESS_VARIABLE, address)
        submission = Submission(probe, timeout=30)
        try:
            assert str(home) not in _value(submission, "path")
            assert _value(submission, "peek", str(home / "other-course-answers.txt")) != "secret"
        finally:
            submission.close()


def test_files_are_read_only_but_the_working_folder(start) -> None:
    child = start(
        """
        import os

        def write(path):
            try:
                with open(path, "w") as file:
                    file.write("forged")
                return "wrote"
            except OSError as error:
                return type(error).__name__
        """
    )
    target = GRADER_ROOT / "grader" / "forged.py"
    assert _value(child, "write", str(target)) == "OSError"
    assert not target.exists()
    assert _value(child, "write", str(child.student_file)) == "OSError"
    assert _value(child, "write", "/proc/sys/kernel/domainname") == "OSError"
    assert _value(child, "write", "score-report.json") == "wrote"  # its own working folder


def test_no_network(start) -> None:
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    child = start(
        """
        import socket

        def connect(port):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=3).close()
                return "connected"
            except OSError as error:
                return type(error).__name__
        """
    )
    assert _value(child, "connect", listener.getsockname()[1]) != "connected"
    listener.close()


def test_sees_only_its_own_processes(start) -> None:
    child = start(
        """
        import os

        def processes():
            return sorted(int(p) for p in os.listdir("/proc") if p.isdigit())
        """
    )
    assert _value(child, "processes") == [1]


@pytest.fixture(params=[False, True], ids=["namespaces", "process"])
def weak(request: pytest.FixtureRequest) -> bool:
    """Also at the ``process`` level, as on a machine without namespaces."""
    return request.param


def test_nothing_it_started_outlives_it(weak, start, tmp_path: Path) -> None:
    beat = tmp_path / "heartbeat"
    beat.mkdir()
    child = start(
        """
        import os, signal, time

        def escape(folder):
            if os.fork() == 0:
                os.setsid()
                if os.fork() == 0:
                    signal.signal(signal.SIGTERM, signal.SIG_IGN)
                    while True:
                        with open(folder + "/beat", "a") as file:
                            file.write(".")
                        time.sleep(0.05)
                os._exit(0)
            return "escaped"
        """,
        writable=(str(beat),),
    )
    assert _value(child, "escape", str(beat)) == "escaped"
    assert child.isolation == ("process" if weak else "namespaces")
    time.sleep(0.5)
    assert (beat / "beat").stat().st_size > 0
    child.close()
    time.sleep(0.3)
    size = (beat / "beat").stat().st_size
    time.sleep(0.5)
    assert (beat / "beat").stat().st_size == size, "a process kept running after close()"


def test_limits_memory_and_processes(start) -> None:
    child = start(
        """
        import os, time

        def allocate():
            try:
                block = bytearray(40 * 2**30)
                return len(block)
            except MemoryError:
                return "MemoryError"

        def fork_bomb():
            started = 0
            for _ in range(2000):
                try:
                    if os.fork() == 0:
                        time.sleep(30)
                        os._exit(0)
                    started += 1
                except OSError:
                    break
            return started
        """
    )
    assert _value(child, "allocate") == "MemoryError"
    assert _value(child, "fork_bomb") < Policy().processes


@pytest.fixture(params=[True, False], ids=["cgroup", "polled"])
def cgroup(request: pytest.FixtureRequest) -> bool:
    """With a cgroup of its own (where this machine gives the grader one), and without."""
    if request.param:
        try:
            Cgroup.made(2**30, 64).remove()
        except CgroupError as error:
            pytest.skip(f"no cgroup for the sandbox here: {error}")
    return request.param


HOARDS = {
    "memfd": "memfds never mapped: in no process's memory",
    "tmpfs": "files in the sandbox's private /tmp and /dev/shm",
    "deleted": "files deleted from /tmp and /var/tmp while held open",
}
"""Where memory can be held outside every process's resident set. The temporary folders are
writable only where Landlock is missing (a kernel before 5.13): those two run without it."""


@pytest.mark.parametrize("hoard", list(HOARDS))
def test_memory_held_outside_any_process_counts(start, cgroup: bool, hoard: str) -> None:
    """400 MiB (in files of 50 MiB, under the per-file limit) against a 300 MiB limit, held
    where no process's resident set shows it: the kernel charges it to the sandbox's cgroup,
    and without one the supervisor adds it up."""
    child = start(
        """
        import os, time

        CHUNK = b"x" * 2**20
        held = []

        def fill(file):
            for _ in range(50):
                os.write(file, CHUNK)
            held.append(file)

        def memfd():
            for _ in range(8):
                fill(os.memfd_create("hoard"))
            time.sleep(3)  # held while it computes: the supervisor looks 10 times a second
            return "kept"

        def in_folders(folders, unlink):
            for number in range(8):
                path = f"{folders[number % 2]}/hoard{number}"
                file = os.open(path, os.O_WRONLY | os.O_CREAT)
                if unlink:
                    os.unlink(path)
                fill(file)
            time.sleep(3)
            return "kept"

        def tmpfs():
            return in_folders(["/tmp", "/dev/shm"], unlink=False)

        def deleted():
            return in_folders(["/tmp", "/var/tmp"], unlink=True)
        """,
        memory_total_bytes=300 * 2**20,
        cgroup=cgroup,
        landlock=hoard == "memfd",
    )
    answer = child.call(hoard)
    assert answer.error is not None, f"{HOARDS[hoard]}: kept 400 MiB"
    assert "more memory together than the grader allows" in answer.error.message, answer.error
    layers = {layer["name"]: layer["active"] for layer in child.layers or []}
    assert layers["cgroup"] is cgroup, child.layers


def test_each_forked_child_starts_clean(monkeypatch, fork_server, tmp_path: Path) -> None:
    """What one student's process changes in memory never reaches the next one's."""
    monkeypatch.setenv(ADDRESS_VARIABLE, fork_server)
    monkeypatch.setenv(POLICY_VARIABLE, Policy(temporary=(tempfile.gettempdir(),)).to_json())
    tamper = tmp_path / "a" / "tamper.py"
    probe = tmp_path / "b" / "probe.py"
    for path in (tamper, probe):
        path.parent.mkdir()
    tamper.write_text(
        "import numpy, grader.worker.serve\n"
        "numpy.allclose = lambda *a, **k: True\n"
        "grader.worker.serve.TAMPERED = True\n"
        "def ok():\n    return numpy.allclose(0, 1)\n",
        encoding="utf-8",
    )
    probe.write_text(
        "import numpy, grader.worker.serve\n"
        "def state():\n"
        "    return [bool(numpy.allclose(0, 1)), hasattr(grader.worker.serve, 'TAMPERED')]\n",
        encoding="utf-8",
    )
    first, second = Submission(tamper, timeout=30), Submission(probe, timeout=30)
    try:
        assert _value(first, "ok") is True
        assert _value(second, "state") == [False, False]
    finally:
        first.close()
        second.close()


def test_limits_shared_by_all_its_processes(start) -> None:
    """Memory spread over many processes, and many files each under the per-file limit, are
    still stopped: the supervisor adds them up, 10 times a second."""
    spread = start(
        """
        import os, time

        def spread():
            for _ in range(12):
                if os.fork() == 0:
                    block = bytearray(2**30)
                    for i in range(0, len(block), 4096):
                        block[i] = 1
                    time.sleep(60)
            time.sleep(60)
        """
    )
    answer = spread.call("spread")
    assert answer.error is not None and "memory" in answer.error.message
    fill = start(
        """
        import time

        def fill():
            block = b"x" * 2**20
            for i in range(1500):
                with open(f"file{i}", "wb") as file:
                    file.write(block)
            time.sleep(5)
        """
    )
    answer = fill.call("fill")
    assert answer.error is not None and "wrote more" in answer.error.message, answer.error


def test_time_spent_waiting_for_a_cpu_others_hold_does_not_count_against_the_call(
    start,
) -> None:
    """Three busy processes outside the sandbox, each in a session of its own (so that the
    scheduler's session groups give each a share), hold CPU 0 with the student's function, which
    needs 1 s of CPU: about 4 s of wall time, past a 2 s limit. Only its own time counts
    (grader.judge.call_time), so it finishes; a function that needs 2.5 s of CPU still stops."""
    submission = start(
        """
        import os, time

        def burn(seconds):
            os.sched_setaffinity(0, {0})
            start = time.process_time()
            while time.process_time() - start < seconds:
                pass
            return os.sched_getaffinity(0) == {0}
        """
    )
    _value(submission, "burn", 0.0)  # started, and pinned, before the clock matters
    submission.timeout = 2.0
    hog = "import os; os.sched_setaffinity(0, {0})\nwhile True: pass"
    hogs = [subprocess.Popen([sys.executable, "-c", hog], start_new_session=True) for _ in range(3)]
    try:
        assert _value(submission, "burn", 1.0) is True
        late = submission.call("burn", 2.5)
        assert late.error is not None and late.error.kind == "timeout", late
    finally:
        for process in hogs:
            process.kill()
            process.wait()
