"""HOSTILE-ENTRY sigterm_ignored: softmax ignores SIGTERM, starts a child that ignores it too,
and a grandchild in a session of its own (double fork and setsid, the way daemons leave their
parent's process group), then never returns. Each survivor sleeps for at most 150 s.
Anything of it still running after the batch is a process the grader failed to stop."""

import os as _os
import signal as _signal
import time as _time


def _linger():
    _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
    _signal.signal(_signal.SIGHUP, _signal.SIG_IGN)
    _time.sleep(150)


def _spawn():
    if _os.fork() == 0:  # a child in the same process group, ignoring SIGTERM
        try:
            _linger()
        finally:
            _os._exit(0)
    if _os.fork() == 0:  # double fork: the grandchild leaves the group and the session
        try:
            _os.setsid()
            if _os.fork() == 0:
                _os.chdir("/")
                _linger()
        finally:
            _os._exit(0)


def softmax(x, axis=-1):
    _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
    _spawn()
    while True:
        _time.sleep(0.05)
