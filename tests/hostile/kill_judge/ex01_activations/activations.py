"""HOSTILE-ENTRY kill_judge: softmax sends SIGKILL to the grader's processes above it (the
judge and whatever started the judge: found through /proc, any ancestor whose command line
names the grader and not pytest, at most three levels up), then returns zeros. A batch that
survives this and still grades the others is what the test asks for."""

import os as _os
import re as _re
import signal as _signal


def _grader_ancestors():
    pid = _os.getppid()
    for _ in range(3):
        if pid <= 1:
            return
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                text = cmdline.read()
            with open(f"/proc/{pid}/status") as status:
                parent = int(_re.search(r"PPid:\s*(\d+)", status.read()).group(1))
        except (OSError, AttributeError, ValueError):
            return
        if b"grader" in text and b"pytest" not in text:
            yield pid
        pid = parent


def softmax(x, axis=-1):
    for pid in list(_grader_ancestors()):
        try:
            _os.kill(pid, _signal.SIGKILL)
        except OSError:
            pass
    return np.zeros(np.shape(x))
