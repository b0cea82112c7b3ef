"""HOSTILE-ENTRY write_outside: tries to create a file (and removes it at once) where a
student's code must not write: the kit's checkout and the grader package it runs
(``@@KIT@@``; a planted module there runs in every later judge), site-packages, the
submissions (``@@SUBMISSIONS@@``), the output folder (``@@OUT@@``) and the grader's working
folders (through /proc). It also looks for the grader's other temporary folders (other
submissions staged, the fork server) in /tmp, $TMPDIR and every folder above this file. Only
if one of these worked does softmax answer correctly: full marks for softmax mean student
code could write or see outside its own folders. (A private /tmp or /dev/shm of its own may
be written: that reaches no one.)"""

import glob as _glob
import os as _os
import re as _re
import tempfile as _tempfile

_reference_softmax = softmax


def _grader_folders():
    pid = _os.getppid()
    for _ in range(4):
        if pid <= 1:
            return
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                if b"grader" in cmdline.read():
                    yield _os.readlink(f"/proc/{pid}/cwd")
            with open(f"/proc/{pid}/status") as status:
                pid = int(_re.search(r"PPid:\s*(\d+)", status.read()).group(1))
        except (OSError, AttributeError, ValueError):
            return


def _targets():
    yield "@@KIT@@"
    yield "@@KIT@@/grader"
    yield "@@KIT@@/grader/checks"
    yield _os.path.dirname(_os.path.dirname(np.__file__))
    yield "@@SUBMISSIONS@@"
    yield "@@OUT@@"
    yield from _grader_folders()


def _wrote_somewhere():
    for folder in dict.fromkeys(_targets()):
        probe = _os.path.join(folder, f".hostile-probe-{_os.getpid()}")
        try:
            descriptor = _os.open(probe, _os.O_CREAT | _os.O_EXCL | _os.O_WRONLY, 0o600)
        except OSError:
            continue
        _os.close(descriptor)
        _os.unlink(probe)
        return folder
    return None


def _sees_other_submissions():
    mine = _os.path.realpath(__file__)
    roots, here = ["/tmp", _tempfile.gettempdir()], mine
    while here != "/":
        here = _os.path.dirname(here)
        roots.append(here)
    for root in dict.fromkeys(roots):
        for folder in _glob.glob(_os.path.join(root, "grader-*")):
            try:
                real = _os.path.realpath(folder)
                own = mine.startswith(real + "/") or real == _os.path.realpath(_os.getcwd())
                if not own and _os.listdir(folder):
                    return folder
            except OSError:
                continue
    return None


def softmax(x, axis=-1):
    if _wrote_somewhere() is None and _sees_other_submissions() is None:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
