"""The walls that need no namespaces (grader.isolation.layers): a session of its own, Landlock,
seccomp, a dropped uid, a minimal /dev; and grading where user namespaces are blocked."""

import json
import os
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_hostile import BY_NAME, build_submission, visible_score
from test_sandbox import SOLUTION, _value, fork_server, start, weak  # noqa: F401  fixtures

from grader import GRADER_ROOT
from grader.isolation.layers import drop_root, host_root, landlock_abi

pytestmark = pytest.mark.skipif(
    not os.path.exists("/proc/self/ns/user"), reason="Linux namespaces only"
)
BLOCKED = Path(__file__).resolve().parent / "blocked_userns.py"
needs_landlock = pytest.mark.skipif(landlock_abi() < 1, reason="the kernel has no Landlock")


def _state(pid: int) -> str:
    stat_line = Path(f"/proc/{pid}/stat").read_text()
    return stat_line[stat_line.rindex(")") + 2]


def test_a_group_stop_misses_the_supervisor(weak, start) -> None:  # noqa: F811  (fixtures from test_sandbox)
    """``kill(0, SIGSTOP)`` from the student's process group used to stop the supervisor (and
    its memory and disk watch) along with it."""
    child = start(
        """
        import os, signal, time

        def stop_my_group():
            if os.fork() == 0:
                time.sleep(0.5)
                os.kill(0, signal.SIGSTOP)
                os._exit(0)
            return "asked"
        """
    )
    assert _value(child, "stop_my_group") == "asked"
    time.sleep(2)
    supervisor = child._process.pid
    assert _state(supervisor) != "T", "the student's kill(0, SIGSTOP) stopped the supervisor"


@needs_landlock
def test_walls_stand_without_namespaces(weak, start, tmp_path: Path) -> None:  # noqa: F811  (fixtures from test_sandbox)
    other = tmp_path / "other-student"
    other.mkdir()
    (other / "answers.py").write_text("secret", encoding="utf-8")
    child = start(
        """
        import ctypes, os, socket

        def read(path):
            try:
                with open(path) as file:
                    return "read: " + file.read(20)
            except OSError as error:
                return type(error).__name__

        def open_socket(family):
            try:
                socket.socket(family, socket.SOCK_STREAM).close()
                return "opened"
            except OSError as error:
                return type(error).__name__

        def ptrace():
            libc = ctypes.CDLL(None, use_errno=True)
            return libc.ptrace(0, 0, 0, 0), ctypes.get_errno()

        def signal_parent():
            try:
                os.kill(os.getppid(), 0)
                return "reached"
            except OSError as error:
                return type(error).__name__
        """
    )
    assert _value(child, "read", str(SOLUTION)) in ("FileNotFoundError", "PermissionError")
    assert _value(child, "read", str(other / "answers.py")) in (
        "FileNotFoundError",
        "PermissionError",
    )
    assert _value(child, "read", str(GRADER_ROOT / "grader" / "checks" / "__init__.py")) in (
        "FileNotFoundError",
        "PermissionError",
    )
    assert _value(child, "read", str(child.student_file)).startswith("read: ")
    assert _value(child, "open_socket", 2) == "PermissionError"  # AF_INET
    assert _value(child, "open_socket", 1) == "opened"  # AF_UNIX
    assert tuple(_value(child, "ptrace")) == (-1, 1)  # EPERM
    if weak:  # in namespaces the parent is outside its PID namespace: getppid() is 0
        assert _value(child, "signal_parent") == "PermissionError"
    layers = {layer["name"]: layer for layer in child.layers or []}
    assert set(layers) == {"namespaces", "landlock", "seccomp", "uid", "cgroup"}
    assert layers["namespaces"]["active"] is not weak
    assert layers["landlock"]["active"] and layers["seccomp"]["active"], layers


def test_dev_holds_no_disk(start) -> None:  # noqa: F811  (fixtures from test_sandbox)
    """Graded as root, the sandbox used to see the host's /dev: its disks among them."""
    disks = [
        f"/dev/{name}"
        for name in os.listdir("/dev")
        if stat.S_ISBLK(os.stat(f"/dev/{name}", follow_symlinks=False).st_mode)
    ]
    if not disks:
        pytest.skip("this machine's /dev shows no block device")
    child = start(
        """
        import os

        def exists(paths):
            return [p for p in paths if os.path.exists(p)]

        def write_null():
            with open("/dev/null", "w") as null:
                return null.write("x")
        """
    )
    assert _value(child, "exists", disks) == []
    assert _value(child, "write_null") == 1


DISK_MARKER = b"HOSTILE-DISK-MARKER"


@pytest.fixture
def loop_device(tmp_path: Path) -> Iterator[str]:
    """A loop device of the test's own on a 64 KiB image that starts with DISK_MARKER: a disk
    the grading machine has, which root can read and the sandbox must not."""
    if not host_root():
        pytest.skip("only root can attach a loop device (and only a root grader's sandbox saw one)")
    image = tmp_path / "disk.img"
    image.write_bytes(DISK_MARKER + bytes(64 * 1024 - len(DISK_MARKER)))
    attached = subprocess.run(
        ["losetup", "--find", "--show", "--read-only", str(image)],
        capture_output=True,
        text=True,
        check=False,
    )
    if attached.returncode != 0:
        pytest.skip(f"losetup could not attach an image here: {attached.stderr.strip()}")
    device = attached.stdout.strip()
    try:
        with open(device, "rb") as disk:
            assert disk.read(len(DISK_MARKER)) == DISK_MARKER, "the test cannot read its own disk"
        yield device
    finally:
        subprocess.run(["losetup", "--detach", device], check=False)


@pytest.mark.parametrize("without", [(), ("landlock",), ("namespaces",)], ids=str)
def test_a_root_graders_sandbox_reads_no_disk(
    loop_device: str,
    start,  # noqa: F811  (fixtures from test_sandbox)
    without: tuple[str, ...],
) -> None:
    """The raw-device attack on a disk of the test's own: with every layer, without Landlock
    (the minimal /dev and the dropped uid hold), and without namespaces (Landlock and the
    dropped uid hold). With none of the three, the sandbox reads it (checked by hand)."""
    child = start(
        """
        def read_disk(path):
            try:
                with open(path, "rb") as disk:
                    return disk.read(64).decode("latin-1")
            except OSError as error:
                return type(error).__name__
        """,
        **{name: False for name in without},
    )
    assert _value(child, "read_disk", loop_device) in ("FileNotFoundError", "PermissionError")


@pytest.mark.skipif(not host_root(), reason="only root drops to a uid of the sandbox's own")
def test_root_drops_to_a_uid_of_its_own(tmp_path: Path) -> None:
    secret = tmp_path / "root-only"
    secret.write_text("secret")
    secret.chmod(0o600)
    work = Path(tempfile.mkdtemp(prefix="grader-uid-test-"))
    (work / "staged.txt").write_text("staged")
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        layer = drop_root([str(work)], 2**30 + 7)
        outcome = {"layer": layer.to_dict(), "uid": os.getuid(), "groups": os.getgroups()}
        try:
            secret.read_text()
            outcome["secret"] = "read"
        except OSError as error:
            outcome["secret"] = type(error).__name__
        (work / "written.txt").write_text("mine")
        os.write(write, json.dumps(outcome).encode())
        os._exit(0)
    os.close(write)
    os.waitpid(pid, 0)
    outcome = json.loads(os.read(read, 4096))
    assert outcome["layer"]["active"], outcome
    assert outcome["uid"] == 2**30 + 7 and outcome["groups"] == []
    assert outcome["secret"] == "PermissionError"
    assert (work / "written.txt").read_text() == "mine"


@needs_landlock
def test_solutions_stay_hidden_where_user_namespaces_are_blocked(tmp_path: Path) -> None:
    """The hostile ``read_solutions`` entry, graded as on Ubuntu or in Docker (no user
    namespaces): it scored 15/15 at the ``process`` level before Landlock."""
    submissions = tmp_path / "submissions"
    submissions.mkdir()
    places = {"KIT": str(GRADER_ROOT), "SUBMISSIONS": str(submissions), "OUT": str(tmp_path)}
    folder = build_submission(BY_NAME["read_solutions"], submissions, "reader", places)
    report_path = tmp_path / "report.json"
    command = [
        sys.executable, str(BLOCKED), sys.executable, "-m", "grader", "grade", str(folder),
        "--json", str(report_path), "--only", "ex01_activations", "--quiet",
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(GRADER_ROOT)}
    subprocess.run(command, env=env, cwd=GRADER_ROOT, timeout=600, check=False)
    report = json.loads(report_path.read_text())
    assert report["isolation"]["level"] == "process"
    assert visible_score(report, "ex01_activations") <= BY_NAME["read_solutions"].max_score
    layers = {layer["name"]: layer for layer in report["isolation"]["layers"]}
    assert not layers["namespaces"]["active"] and layers["landlock"]["active"], layers


def _grader(*arguments: str, blocked: str = "") -> subprocess.CompletedProcess[str]:
    """``grader ARGUMENTS``; ``blocked``: "userns" without user namespaces, "all" without
    Landlock too (``tests/blocked_userns.py``)."""
    command = [sys.executable, "-m", "grader", *arguments]
    if blocked:
        extra = ["--no-landlock"] if blocked == "all" else []
        command = [sys.executable, str(BLOCKED), *extra, *command]
    env = {**os.environ, "PYTHONPATH": str(GRADER_ROOT)}
    return subprocess.run(
        command, env=env, cwd=GRADER_ROOT, capture_output=True, text=True, timeout=600
    )


def _doctor(*arguments: str, blocked: str = "") -> subprocess.CompletedProcess[str]:
    return _grader("doctor", *arguments, blocked=blocked)


def test_doctor_where_namespaces_stand() -> None:
    done = _doctor()
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Isolation level: namespaces" in done.stdout
    assert "[active ] namespaces:" in done.stdout
    for name in ("landlock", "seccomp", "uid", "cgroup"):
        assert f"] {name}:" in done.stdout
    assert "reference: out of reach" in done.stdout
    assert "Safe: the reference, hidden checks and other submissions" in done.stdout


@needs_landlock
def test_doctor_where_user_namespaces_are_blocked() -> None:
    done = _doctor(blocked="userns")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Isolation level: process" in done.stdout
    assert "[MISSING] namespaces: the kernel refused" in done.stdout
    assert "kernel.apparmor_restrict_unprivileged_userns=0" in done.stdout  # how to enable
    assert "[active ] landlock:" in done.stdout
    assert "other submission: out of reach (PermissionError)" in done.stdout


def test_doctor_fails_when_nothing_hides_the_reference() -> None:
    done = _doctor("--without", "namespaces", "--without", "landlock", "--without", "uid")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "reference: READ BY STUDENT CODE" in done.stdout
    assert "NOT SAFE: student code can read reference, hidden checks, other submission" in (
        done.stdout
    )


def test_doctor_where_nothing_hides_the_kit() -> None:
    """No user namespaces, no Landlock, not root: as on an old kernel in Docker."""
    done = _doctor(blocked="all")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "[MISSING] landlock: the kernel has no Landlock" in done.stdout
    assert "lsm=landlock" in done.stdout  # how to enable it
    assert "hidden checks: READ BY STUDENT CODE" in done.stdout


def test_grading_refuses_marks_that_can_be_stolen(tmp_path: Path) -> None:
    submission = tmp_path / "submission" / "ex01_activations"
    submission.mkdir(parents=True)
    (submission / "activations.py").write_bytes(SOLUTION.read_bytes())
    report = tmp_path / "report.json"
    arguments = ["grade", str(submission.parent), "--json", str(report), "--only"]
    refused = _grader(*arguments, "ex01_activations", blocked="all")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "nothing on this machine hides the reference solutions" in refused.stderr
    assert "--allow-weak-isolation" in refused.stderr and "grader doctor" in refused.stderr
    assert not report.exists()
    allowed = _grader(*arguments, "ex01_activations", "--allow-weak-isolation", blocked="all")
    assert allowed.returncode == 0, allowed.stdout + allowed.stderr
    isolation = json.loads(report.read_text())["isolation"]
    assert isolation["note"].startswith("WEAK ISOLATION")
    assert not any(layer["active"] for layer in isolation["layers"] if layer["name"] != "seccomp")


def test_batch_refuses_marks_that_can_be_stolen(tmp_path: Path) -> None:
    (tmp_path / "submissions" / "alice").mkdir(parents=True)
    out = tmp_path / "out"
    refused = _grader("batch", str(tmp_path / "submissions"), "--out", str(out), blocked="all")
    assert refused.returncode == 2, refused.stdout + refused.stderr
    assert "grader batch: nothing on this machine hides the reference" in refused.stderr
    assert not out.exists()


def test_autograde_refuses_but_still_writes_results(tmp_path: Path) -> None:
    """Gradescope's layout (/autograder/source holds the reference) on a machine that hides
    nothing: no marks, and results.json says why."""
    from grader.commands.export import REFERENCE_FOLDER

    reference = tmp_path / "source" / REFERENCE_FOLDER / "ex01_activations"
    reference.mkdir(parents=True)
    (reference / "activations.py").write_bytes(SOLUTION.read_bytes())
    (tmp_path / "submission").mkdir()
    done = _grader("autograde", "gradescope", "--root", str(tmp_path), blocked="all")
    assert done.returncode == 2, done.stdout + done.stderr
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and results["tests"] == []
    assert "grader autograde: nothing on this machine hides the reference" in results["output"]


def test_fork_server_turns_away_a_sandboxed_process(weak, start, fork_server) -> None:  # noqa: F811
    """At the ``process`` level a student's process shares the server's namespaces: its
    seccomp filter and ``no_new_privs`` tell it apart from a judge."""
    child = start(
        """
        import json, socket

        def ask(address):
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET) as connection:
                    connection.settimeout(10)
                    connection.connect(address)
                    connection.send(json.dumps({"policy": None}).encode())
                    return connection.recv(4096).decode() or "closed"
            except OSError as error:
                return type(error).__name__
        """
    )
    answer = _value(child, "ask", fork_server)
    assert "error" not in answer, f"the fork server answered a student's process: {answer}"
