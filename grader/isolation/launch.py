"""Starting the process that runs a student's module: a fork of the fork server when the
judge has one (``GRADER_FORK_SERVER``), else a fresh interpreter.

Either way the judge gets a ``Child``: the channel (``stdin``, ``stdout``), ``poll``, ``wait``
and ``stop``, which ends the child and everything it started.
"""

import contextlib
import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from typing import IO, Protocol

from grader import GRADER_ROOT
from grader.isolation.sandbox import Policy

ADDRESS_VARIABLE = "GRADER_FORK_SERVER"
"""The judge's environment variable holding the fork server's socket path."""
LEVEL_WAIT = 5.0
"""Seconds to wait for a supervisor to report its level (it does so as it forks)."""
STOP_GRACE = 5.0
"""Seconds a supervisor gets to end its sandbox before it is killed."""


class Child(Protocol):
    pid: int
    stdin: IO[bytes]
    stdout: IO[bytes]

    def poll(self) -> int | None: ...

    def wait(self, timeout: float | None = None) -> int: ...

    def stop(self) -> None: ...

    def isolation(self) -> str | None:
        """The sandbox's level as its supervisor reported it, if it has (None unsandboxed)."""
        ...

    def layers(self) -> list[dict[str, object]] | None:
        """Each wall (``grader.isolation.layers.Layer``) and whether it stood, as the child
        reported it before it loaded student code; None if it did not."""
        ...


class _Status:
    """The supervisor's status pipe: ``level <name>``, ``pid <n>``, then ``exit <code>``; and
    the child's ``layers <json>``, written before it loads student code and closes its end."""

    def __init__(self, fd: int):
        self.fd = fd
        self.text = ""
        self.closed = False

    def read(self, timeout: float | None, until: str = "exit") -> None:
        """Read what has arrived, waiting up to ``timeout`` seconds (None: no limit) for the
        line ``until`` or the pipe's end."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while not self.closed and self.field(until) is None:
            left = None if deadline is None else max(0.0, deadline - time.monotonic())
            if not select.select([self.fd], [], [], left)[0]:
                return
            chunk = os.read(self.fd, 4096)
            if not chunk:
                self.close()
                return
            self.text += chunk.decode(errors="replace")

    def close(self) -> None:
        if not self.closed:
            self.closed = True
            os.close(self.fd)

    def level(self) -> str | None:
        """The level the supervisor reports as it forks (waited for), or None."""
        self.read(LEVEL_WAIT, until="level")
        return self.field("level")

    def layers(self) -> list[dict[str, object]] | None:
        """The layers the child reported (waited for, as the level is)."""
        self.read(LEVEL_WAIT, until="layers")
        # The first: written before student code ran (a later one would be a forgery).
        found = [line for line in self.text.splitlines() if line.startswith("layers ")]
        if not found:
            return None
        text = found[0].split(" ", 1)[1]
        try:
            found = json.loads(text)
        except ValueError:
            return None
        return found if isinstance(found, list) else None

    def field(self, name: str) -> str | None:
        found = [
            line.split(" ", 1)[1] for line in self.text.splitlines() if line.startswith(name + " ")
        ]
        return found[-1] if found else None


class SpawnedChild:
    """``python -m grader.isolation.child [--sandbox POLICY] [FILE]`` in a new session."""

    def __init__(
        self,
        student_file: str | None,
        policy: Policy | None,
        *,
        cwd: str,
        env: dict[str, str],
        stderr: IO[bytes],
    ):
        # Only a sandbox's supervisor reports on a status pipe; a student's own run (any
        # platform, Windows included) has none, and nothing here waits on a pipe then.
        status, status_out = os.pipe() if policy else (None, None)
        sandbox = ["--sandbox", policy.to_json(), "--status-fd", str(status_out)] if policy else []
        try:
            self._process = subprocess.Popen(
                [sys.executable, "-m", "grader.isolation.child", *sandbox]
                + ([student_file] if student_file else []),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=cwd,
                env=env,
                start_new_session=os.name == "posix",
                pass_fds=(status_out,) if status_out is not None else (),
            )
        finally:
            if status_out is not None:
                os.close(status_out)
        self._status = _Status(status) if status is not None else None
        self._supervised = policy is not None
        self.pid = self._process.pid
        assert self._process.stdin is not None and self._process.stdout is not None
        self.stdin, self.stdout = self._process.stdin, self._process.stdout

    def poll(self) -> int | None:
        return self._process.poll()

    def isolation(self) -> str | None:
        return self._status.level() if self._status else None

    def layers(self) -> list[dict[str, object]] | None:
        return self._status.layers() if self._status else None

    def wait(self, timeout: float | None = None) -> int:
        code = self._process.wait(timeout)
        if self._status:
            self._status.read(0)
            self._status.close()
        return code

    def stop(self) -> None:
        if self._process.poll() is not None:
            return
        if self._supervised:  # the supervisor kills its sandbox, whatever is running in it
            with contextlib.suppress(ProcessLookupError):
                self._process.send_signal(signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self._process.wait(STOP_GRACE)
                return
        if os.name == "posix":  # not reaped yet, so the group is still this child's
            with contextlib.suppress(ProcessLookupError, PermissionError):
                os.killpg(self._process.pid, signal.SIGKILL)
        self._process.kill()


class _Connection:
    """This judge's one connection to the fork server; the server ends every child it forked
    for a connection when the connection closes (the judge ended or was killed)."""

    def __init__(self, address: str):
        self.lock = threading.Lock()
        self.socket = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        self.socket.connect(address)

    def fork(self, request: dict[str, object], fds: list[int]) -> int:
        with self.lock:
            socket.send_fds(self.socket, [json.dumps(request).encode()], fds)
            reply = json.loads(self.socket.recv(4096) or b"{}")
        if "pid" not in reply:
            raise OSError(f"the fork server refused: {reply.get('error', 'no answer')}")
        return int(reply["pid"])


_connections: dict[str, _Connection] = {}
_connecting = threading.Lock()
"""Held while a connection is looked up or made (the judge's threads share them)."""


def disconnect(address: str) -> None:
    """Close this process's connection to the fork server at ``address``, if it has one: its
    handler there then stops every child it forked for this process."""
    with _connecting:
        connection = _connections.pop(address, None)
    if connection is not None:
        connection.socket.close()


class ForkedChild:
    """A child forked by the fork server, watched through its supervisor's status pipe (an
    unwalled child's supervisor only reports how it ended)."""

    def __init__(
        self,
        address: str,
        student_file: str | None,
        policy: Policy | None,
        *,
        cwd: str,
        env: dict[str, str],
        stderr: IO[bytes],
    ):
        with _connecting:
            if address not in _connections:
                _connections[address] = _Connection(address)
            connection = _connections[address]
        to_child, self_stdin = os.pipe()
        self_stdout, from_child = os.pipe()
        status, status_out = os.pipe()
        request = {
            "student_file": student_file,
            "policy": policy.to_json() if policy else None,
            "cwd": cwd,
            "env": env,
        }
        try:
            self.pid = connection.fork(request, [to_child, from_child, stderr.fileno(), status_out])
        finally:
            for fd in (to_child, from_child, status_out):
                os.close(fd)
        self.stdin = os.fdopen(self_stdin, "wb")
        self.stdout = os.fdopen(self_stdout, "rb")
        self._status = _Status(status)
        self._walled = policy is not None
        self.returncode: int | None = None

    def _read_status(self, timeout: float | None) -> None:
        self._status.read(timeout)
        code = self._status.field("exit")
        if code is not None:
            self.returncode = int(code)
        elif self._status.closed:  # the supervisor itself was killed
            self.returncode = -signal.SIGKILL

    def isolation(self) -> str | None:
        return self._status.level() if self._walled else None

    def layers(self) -> list[dict[str, object]] | None:
        return self._status.layers() if self._walled else None

    def poll(self) -> int | None:
        if self.returncode is None:
            self._read_status(0)
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            self._read_status(timeout)
        if self.returncode is None:
            raise subprocess.TimeoutExpired("forked child", timeout or 0)
        self._status.close()
        return self.returncode

    def stop(self) -> None:
        if self.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.pid, signal.SIGTERM)
        try:
            self.wait(STOP_GRACE)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)


def launch(
    student_file: str | None,
    policy: Policy | None,
    *,
    cwd: str,
    env: dict[str, str],
    stderr: IO[bytes],
) -> Child:
    """The child for ``student_file`` (None: grader code only), walled in by ``policy``:
    forked by the batch's fork server when the judge has one (it forks walled-in children
    only), else by this run's own (``use_server``) when it forks children like this one, else
    a fresh interpreter."""
    address = os.environ.get(ADDRESS_VARIABLE) if policy is not None else None
    if not address and _server is not None and _server.unwalled == (policy is None):
        with contextlib.suppress(RuntimeError):  # it did not start: a fresh interpreter then
            address = _server.address()
    if address:
        return ForkedChild(address, student_file, policy, cwd=cwd, env=env, stderr=stderr)
    return SpawnedChild(student_file, policy, cwd=cwd, env=env, stderr=stderr)


class Server(Protocol):
    """A fork server of this run's own (``grader.isolation.fork_server.Server``)."""

    unwalled: bool

    def address(self) -> str: ...


_server: Server | None = None


def use_server(server: Server | None) -> None:
    """Fork this run's children from ``server`` (None: no longer)."""
    global _server
    _server = server


def grader_path() -> str:
    """``PYTHONPATH`` for a process of the grader's: the kit first, then this process's own
    entries, never an empty one (which would put the process's working folder on sys.path,
    whatever ``PYTHONSAFEPATH`` says)."""
    entries = [str(GRADER_ROOT), *os.environ.get("PYTHONPATH", "").split(os.pathsep)]
    return os.pathsep.join(entry for entry in entries if entry)


def child_environment(workdir: str) -> dict[str, str]:
    """A small environment: no secrets of the grader's, one thread per numeric library."""
    keep = ("PATH", "SYSTEMROOT", "LANG", "LC_ALL", "VIRTUAL_ENV")
    env = {k: os.environ[k] for k in keep if k in os.environ}
    # The child imports the very grader package this process runs, never another copy.
    env["PYTHONPATH"] = grader_path()
    env.update(
        HOME=workdir,
        TMPDIR=workdir,
        # ``python -m`` puts its working folder first on sys.path, and the sandbox keeps every
        # folder on sys.path readable: never the folder the grader was started from.
        PYTHONSAFEPATH="1",
        PYTHONHASHSEED="0",
        PYTHONDONTWRITEBYTECODE="1",
        OMP_NUM_THREADS="1",
        OPENBLAS_NUM_THREADS="1",
        MKL_NUM_THREADS="1",
        PYTHONUNBUFFERED="1",
        TF_CPP_MIN_LOG_LEVEL="3",
    )
    return env
