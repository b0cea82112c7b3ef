"""A process that imports TensorFlow once and forks a fresh child per student file: walled in,
unless it serves a student's own run.

Importing TensorFlow takes seconds; a fork takes milliseconds. ``grader batch`` starts one
server (``running()``) and gives each judge its address in ``GRADER_FORK_SERVER``; a run of
the checks that has none and checks a Keras exercise starts its own (``Server``, used through
``grader.isolation.launch.use_server``): walled, for a judge; *unwalled* for a student's own
run, whose processes are not sandboxed. The server forks a *handler* per connection. For
each request (a student file, a sandbox policy, and the judge's pipe ends passed over the
socket) the handler forks a child that takes the pipes as stdin, stdout, stderr and status,
closes every other descriptor, and runs ``grader.isolation.child.run``: the sandbox, the
student's module, the request loop.

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
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from grader.isolation.launch import ADDRESS_VARIABLE, child_environment, disconnect
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
__all__ = ["ADDRESS_VARIABLE", "Server", "available", "running", "serve"]


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
    student_file = Path(request["student_file"]).resolve() if request["student_file"] else None
    if request["policy"]:
        run(student_file, Policy.from_json(request["policy"]), status=os.fdopen(3, "w"))
    else:
        _run_watched(student_file)


def _run_watched(student_file: Path | None) -> None:
    """An unwalled child (a student's own run): fork the worker into a session of its own and,
    as a sandbox's supervisor does, report ``exit <code>`` on the status pipe (fd 3) when it
    ends, and end it (and its session) when told to (SIGTERM) or orphaned."""
    from grader.isolation.child import run

    signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGTERM})  # until stop is in place
    worker = os.fork()
    if worker == 0:
        signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
        os.close(3)
        os.setsid()
        run(student_file, None)
        return
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1):  # only the worker answers the judge
        os.dup2(devnull, fd)

    def stop(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(worker, signal.SIGKILL)

    signal.signal(signal.SIGTERM, stop)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM})
    parent = os.getppid()
    die_with_parent(signal.SIGTERM)
    if os.getppid() != parent:
        stop(signal.SIGTERM, None)
    code = os.waitstatus_to_exitcode(os.waitpid(worker, 0)[1])
    stop(signal.SIGTERM, None)  # what it started in its session ends with it
    with contextlib.suppress(OSError), os.fdopen(3, "w") as status:
        status.write(f"exit {code}\n")
    os._exit(code if code >= 0 else 1)


def _handle(connection: socket.socket, unwalled: bool) -> None:
    """One judge's requests; its children are stopped when the judge hangs up. A request with
    no sandbox policy is refused unless the server is ``unwalled``."""
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
        if not request.get("policy") and not unwalled:  # every child it forks is walled in
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


def serve(address: str, unwalled: bool = False) -> None:
    """Import everything, announce ``ready`` on stdout, then fork a handler per connection;
    ``unwalled``: fork children without a sandbox policy too (for a student's own run)."""
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
            die_with_parent()  # the server stopped: so does every handler, and its children
            try:
                _handle(connection, unwalled)
            finally:
                os._exit(0)
        connection.close()


def _server_environment() -> dict[str, str]:
    env = child_environment(tempfile.gettempdir())
    env["MPLBACKEND"] = "Agg"
    return env


def available() -> bool:
    """Whether this platform has what the fork server needs: ``fork``, and Unix sockets of
    packets that carry file descriptors (Linux; not Windows, nor macOS, which lacks
    ``SOCK_SEQPACKET``)."""
    return (
        sys.platform.startswith("linux")
        and hasattr(os, "fork")
        and hasattr(socket, "SOCK_SEQPACKET")
        and hasattr(socket, "send_fds")
    )


class Server:
    """A fork server started at once and waited for only when it is first needed (it imports
    TensorFlow meanwhile); its socket lies in a private folder, which sandboxes never see:
    their temporary folders are their own."""

    def __init__(self, *, unwalled: bool = False):
        self.unwalled = unwalled
        self._folder = tempfile.TemporaryDirectory(prefix="grader-fork-server-")
        self._address = str(Path(self._folder.name) / "socket")
        self._process = subprocess.Popen(
            [sys.executable, "-m", "grader.isolation.fork_server", self._address]
            + (["--unwalled"] if unwalled else []),
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=_server_environment(),
            cwd=self._folder.name,  # never the grader's own folder, which children would inherit
            start_new_session=True,
        )
        self._said: bytes | None = None
        self._lock = threading.Lock()

    def address(self) -> str:
        """The socket's path, once the server is ready (waited for up to ``START_TIMEOUT``
        seconds); ``RuntimeError`` if it did not start."""
        with self._lock:
            if self._said is None:
                assert self._process.stdout is not None
                started = select.select([self._process.stdout], [], [], START_TIMEOUT)[0]
                self._said = self._process.stdout.readline() if started else b""
        if self._said != READY:
            raise RuntimeError(f"the fork server did not start (it said {self._said!r})")
        return self._address

    def stop(self) -> None:
        """End the server, its handlers and every child they forked."""
        disconnect(self._address)
        self._process.kill()
        self._process.wait()
        self._folder.cleanup()


@contextmanager
def running() -> Iterator[str]:
    """A walled fork server for the duration of the block; yields its address."""
    server = Server()
    try:
        yield server.address()
    finally:
        server.stop()


if __name__ == "__main__":
    serve(sys.argv[1], unwalled=sys.argv[2:] == ["--unwalled"])
