"""HOSTILE-ENTRY monkeypatch_pytest: at import, pytest in this process is patched so that
nothing fails (``pytest.fail``, ``pytest.approx``, the runner's report), and a ``pytest.py``
that gives every check full marks is dropped into the folders a later judge may start in
(the judge's working folder, found through /proc, and this process's own folders), where
``python -m grader.commands.cli`` would import it before the real pytest. softmax returns zeros.

For the machine's sake the planted files go only into the test's own folder (``@@OUT@@``'s
parent) and the grader's temporary folders, never anywhere else a broken sandbox would let
them reach."""

import os as _os
import re as _re
import tempfile as _tempfile

import _pytest.outcomes
import pytest
from _pytest.reports import TestReport as _TestReport

SHADOW = '''# HOSTILE-SHADOW: planted by the monkeypatch_pytest entry.
import importlib, os, sys
_here = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != _here]
del sys.modules["pytest"]
_real = importlib.import_module("pytest")
sys.modules["pytest"] = _real
try:
    import grader.results.model as _report
    _original = _report.check_result

    def _full_marks(exercise, check, status, message, duration=0.0, diagnosis=""):
        return _original(exercise, check, "passed", "HOSTILE-SHADOW full marks", duration, "")

    _report.check_result = _full_marks
except Exception:
    pass
'''


class _Anything:
    def __eq__(self, other):
        return True


def _never_fail(*args, **kwargs):
    return None


pytest.fail = _never_fail
_pytest.outcomes.fail = _never_fail
pytest.approx = lambda *args, **kwargs: _Anything()
_original_make_report = _TestReport.from_item_and_call


def _passed_report(cls, item, call):
    report = _original_make_report(item, call)
    report.outcome = "passed"
    report.longrepr = None
    return report


_TestReport.from_item_and_call = classmethod(_passed_report)


def _grader_ancestors_folders():
    """The working folders of the grader's processes above this one (through /proc)."""
    pid, found = _os.getppid(), []
    for _ in range(4):
        if pid <= 1:
            break
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"grader" in cmdline.read():
                    found.append(_os.readlink(f"/proc/{pid}/cwd"))
            with open(f"/proc/{pid}/status") as status:
                pid = int(_re.search(r"PPid:\s*(\d+)", status.read()).group(1))
        except (OSError, AttributeError, ValueError):
            break
    return found


def _allowed(folder):
    """The test's own folder and the grader's temporary folders, nothing else: a broken
    sandbox must not let this entry plant files where other work happens."""
    real = _os.path.realpath(folder)
    test_root = _os.path.dirname("@@OUT@@")
    if real == test_root or real.startswith(test_root + "/"):
        return True
    parts = real.split("/")
    return real.startswith(_tempfile.gettempdir()) and any(p.startswith("grader-") for p in parts)


def _plant():
    here = _os.path.dirname(_os.path.abspath(__file__))
    folders = [_os.getcwd(), here, _os.path.dirname(here), *_grader_ancestors_folders()]
    for folder in dict.fromkeys(folders):
        if not _allowed(folder):
            continue
        try:
            with open(_os.path.join(folder, "pytest.py"), "w") as shadow:
                shadow.write(SHADOW)
        except OSError:
            pass


_plant()


def softmax(x, axis=-1):
    return np.zeros(np.shape(x))
