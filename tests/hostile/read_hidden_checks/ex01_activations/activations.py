"""HOSTILE-ENTRY read_hidden_checks: looks for the instructor's hidden checks: the
``--hidden-tests`` folder on the grader's command lines (/proc) and the folder the test gives
the batch (``@@HIDDEN@@``). Only if a hidden check module could be read does softmax
answer correctly: full marks for softmax's visible checks mean the hidden checks leaked."""

import glob as _glob
import os as _os
import re as _re

_reference_softmax = softmax


def _grader_command_lines():
    pid = _os.getppid()
    for _ in range(4):
        if pid <= 1:
            return
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                yield [a.decode(errors="replace") for a in cmdline.read().split(b"\0") if a]
            with open(f"/proc/{pid}/status") as status:
                pid = int(_re.search(r"PPid:\s*(\d+)", status.read()).group(1))
        except (OSError, AttributeError, ValueError):
            return


def _folders():
    yield "@@HIDDEN@@"
    for arguments in _grader_command_lines():
        for i, argument in enumerate(arguments):
            name, _, value = argument.partition("=")
            if name == "--hidden-tests":
                yield value or (arguments[i + 1] if i + 1 < len(arguments) else "")


def _read_a_hidden_check():
    for folder in dict.fromkeys(_folders()):
        for path in _glob.glob(_os.path.join(folder, "*.py")):
            try:
                with open(path) as module:
                    if "def test_" in module.read():
                        return path
            except OSError:
                continue
    return None


def softmax(x, axis=-1):
    if _read_a_hidden_check() is None:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
