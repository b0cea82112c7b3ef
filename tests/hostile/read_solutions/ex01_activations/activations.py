"""HOSTILE-ENTRY read_solutions: softmax is taken from the kit's reference solution, looked
for by walking up from this file, through ``grader.GRADER_ROOT`` and
``grader.catalog.KIT_SOLUTIONS``, at the kit's known path (``@@KIT@@``), by importing
``solutions.ex01_activations.activations`` (the kit's root is on PYTHONPATH), and at every
``--reference`` folder on the grader's command lines (/proc). Where none can be read,
softmax returns zeros: full marks for softmax mean the solutions leaked."""

import importlib as _importlib
import os as _os
import re as _re
from pathlib import Path as _Path

_RELATIVE = "ex01_activations/activations.py"


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


def _candidate_files():
    for folder in _Path(__file__).resolve().parents:
        yield folder / "solutions" / _RELATIVE
    try:
        import grader
        from grader import catalog as grading

        yield grader.GRADER_ROOT / "solutions" / _RELATIVE
        yield grading.KIT_SOLUTIONS / _RELATIVE
    except Exception:
        pass
    yield _Path("@@KIT@@") / "solutions" / _RELATIVE
    for arguments in _grader_command_lines():
        for i, argument in enumerate(arguments):
            if argument.startswith("--reference="):
                yield _Path(argument.partition("=")[2]) / _RELATIVE
            elif argument == "--reference" and i + 1 < len(arguments):
                yield _Path(arguments[i + 1]) / _RELATIVE


def _leaked_softmax():
    try:
        module = _importlib.import_module("solutions.ex01_activations.activations")
        return module.softmax
    except Exception:
        pass
    for path in _candidate_files():
        try:
            namespace = {"__name__": "leaked"}
            exec(compile(path.read_text(), str(path), "exec"), namespace)
            return namespace["softmax"]
        except Exception:
            continue
    return None


def softmax(x, axis=-1):
    leaked = _leaked_softmax()
    if leaked is None:
        return np.zeros(np.shape(x))
    return leaked(x, axis)
