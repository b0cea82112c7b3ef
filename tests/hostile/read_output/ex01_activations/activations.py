"""HOSTILE-ENTRY read_output: looks into the batch's output folder (``@@OUT@@``, and every
``--out``/``--json`` folder on the grader's command lines, through /proc) for other students'
score reports and the gradebook. Only if one of them could be read does softmax answer
correctly: full marks for softmax mean the output folder was visible."""

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


def _output_folders():
    yield "@@OUT@@"
    for arguments in _grader_command_lines():
        for i, argument in enumerate(arguments):
            name, _, value = argument.partition("=")
            if name in ("--out", "--json"):
                value = value or (arguments[i + 1] if i + 1 < len(arguments) else "")
                yield value if name == "--out" else _os.path.dirname(value)


def _read_someone_elses():
    for folder in dict.fromkeys(_output_folders()):
        try:
            names = _os.listdir(folder)
        except OSError:
            continue
        for name in names:
            if name.endswith((".json", ".csv", ".html")) and "read_output" not in name:
                try:
                    with open(_os.path.join(folder, name), "rb") as file:
                        if file.read(1):
                            return _os.path.join(folder, name)
                except OSError:
                    continue
    return None


def softmax(x, axis=-1):
    if _read_someone_elses() is None:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
