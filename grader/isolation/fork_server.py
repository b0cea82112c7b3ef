"""A process that imports TensorFlow once and forks a fresh, walled-in child per student file.

Importing TensorFlow takes seconds; a fork takes milliseconds. ``grader batch`` starts one
server (``running()``) and gives each judge its address in ``GRADER_FORK_SERVER``. The server
forks a *handler* per judge connection. For each request (a student file, a sandbox policy,
and the judge's pipe ends passed over the socket) the handler forks a child that takes the
pipes as stdin, stdout, stderr and status, closes every other descriptor, and runs
``grader.isolation.child.run``: the sandbox, the student's module, the request loop.

Every child starts from the same state: the server only imports modules, it never runs
student code, builds a model or draws a random number, so nothing of one student can reach
the next. When a judge's connection closes, its handler stops every child it forked.
"""

import contextlib
import json
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.isolation.launch import ADDRESS_VARIABLE, child_environment
from grader.isolation.sandbox import Policy, die_with_parent

READY = b"ready\n"
PRELOADED = (
    "numpy",
    "tensorflow",
    "keras",
    "h5py",
    "matplotlib.pyplot",
    "sklearn.datasets",
    "sklearn.model_selection",
    "sklearn.preprocessing",
    "grader.worker.provided",
    "grader.worker.to_plain",
    "grader.isolation.child",
)
"""Modules imported once, before any fork (students' own imports then cost nothing)."""
START_TIMEOUT = 180.0
__all__ = ["ADDRESS_VARIABLE", "running", "serve"]


def _child(request: dict[str, Any], fds: list[int]) -> None:
    """In the forked child: take the judge's pipes, drop everything else, serve."""
    from grader.isolation.child import run

    stdin, stdout, stderr, status = fds
    for fd, target in ((stdin, 0), (stdout, 1), (stderr, 2), (status, 3)):
        os.dup2(fd, target)
    os.closerange(4, os.sysconf("SC_OPEN_MAX"))  # the server's socket above all
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    os.setsid()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    tempfile.tempdir = None  # the server's was cached at import: use this child's TMPDIR
    policy = Policy.from_json(request["policy"])
    student_file = request["student_file"]
    run(
        Path(student_file).resolve() if student_file else None,
        policy,
        status=os.fdopen(3, "w"),
    )


def _handle(connection: socket.socket) -> None:
    """One judge's requests; its children are stopped when the judge hangs up."""
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    children: set[int] = set()
    while True:
        try:
            message, fds, _, _ = socket.recv_fds(connection, 1 << 20, 4)
        except OSError:
            break
        if not message:
            break
        if len(fds) != 4:
            for fd in fds:
                os.close(fd)
            connection.send(json.dumps({"error": "expected 4 file descriptors"}).encode())
            continue
        request = json.loads(message)
        if not request.get("policy"):  # every child it forks is walled in
            for fd in fds:
                os.close(fd)
            connection.send(json.dumps({"error": "a sandbox policy is required"}).encode())
            continue
        pid = os.fork()
        if pid == 0:
            try:
                _child(request, fds)
            finally:
                os._exit(0)
        for fd in fds:
            os.close(fd)
        children.add(pid)
        connection.send(json.dumps({"pid": pid}).encode())
        for child in list(children):
            with contextlib.suppress(ChildProcessError):
                if os.waitpid(child, os.WNOHANG)[0]:
                    children.discard(child)
    for child in children:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGTERM)
    for child in children:
        with contextlib.suppress(ChildProcessError):
            os.waitpid(child, 0)


def _walls(pid: int | str) -> tuple[int, int]:
    """A process's ``no_new_privs`` flag and number of seccomp filters (``/proc/PID/status``)."""
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        fields[name] = value.strip()
    return int(fields.get("NoNewPrivs", 0)), int(fields.get("Seccomp_filters", 0))


def _outside_any_sandbox(connection: socket.socket) -> bool:
    """Whether the connecting process is a judge, never a student's process (which could only
    reach the socket through a hole in its walls): it runs as this server's user, shares its
    user, PID and mount namespaces, and has no ``no_new_privs`` flag or seccomp filter this
    server lacks, as every sandbox has (at the ``process`` level, those tell it apart)."""
    credentials = connection.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, 12)
    pid, uid, _ = struct.unpack("3i", credentials)
    try:
        same = all(
            os.readlink(f"/proc/{pid}/ns/{kind}") == os.readlink(f"/proc/self/ns/{kind}")
            for kind in ("user", "pid", "mnt")
        )
        theirs, mine = _walls(pid), _walls("self")
    except (OSError, ValueError):
        return False
    return same and uid == os.getuid() and all(t <= m for t, m in zip(theirs, mine, strict=True))


def serve(address: str) -> None:
    """Import everything, announce ``ready`` on stdout, then fork a handler per connection."""
    import importlib

    die_with_parent()
    for name in PRELOADED:
        importlib.import_module(name)
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    listener.bind(address)
    listener.listen(64)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # handlers are reaped by the kernel
    sys.stdout.buffer.write(READY)
    sys.stdout.flush()
    while True:
        connection, _ = listener.accept()
        if not _outside_any_sandbox(connection):
            connection.close()
            continue
        if os.fork() == 0:
            listener.close()
            try:
                _handle(connection)
            finally:
                os._exit(0)
        connection.close()


def _server_environment() -> dict[str, str]:
    env = child_environment(tempfile.gettempdir())
    env["MPLBACKEND"] = "Agg"
    return env


@contextmanager
def running() -> Iterator[str]:
    """A fork server for the duration of the block; yields its address (a socket path in a
    private folder, which sandboxes never see: their temporary folders are their own)."""
    with tempfile.TemporaryDirectory(prefix="grader-fork-server-") as folder:
        address = str(Path(folder) / "socket")
        server = subprocess.Popen(
            [sys.executable, "-m", "grader.isolation.fork_server", address],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_server_environment(),
            start_new_session=True,
        )
        try:
            assert server.stdout is not None
            started = select.select([server.stdout], [], [], START_TIMEOUT)[0]
            line = server.stdout.readline() if started else b""
            if line != READY:
                raise RuntimeError(f"the fork server did not start (it said {line!r})")
            yield address
        finally:
            server.kill()
            server.wait()


if __name__ == "__main__":
    serve(sys.argv[1])
