"""HOSTILE-ENTRY copy_classmate: softmax is taken from another student's submission: in the
submissions folder (``@@SUBMISSIONS@@``, folders and zips), in folders named on the grader's
command lines (/proc), and in the grader's temporary folders where other submissions are
staged (in /tmp, $TMPDIR and every folder above this file). Files of other hostile entries and unwritten stubs are skipped. Where none can be
read, softmax returns zeros: full marks for softmax mean another submission leaked."""

import glob as _glob
import os as _os
import re as _re
import tempfile as _tempfile
import zipfile as _zipfile

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


def _folders():
    yield "@@SUBMISSIONS@@"
    for arguments in _grader_command_lines():
        for argument in arguments:
            argument = argument.partition("=")[2] or argument
            if _os.path.isdir(argument):
                yield argument
                yield _os.path.dirname(argument.rstrip("/"))
    here = _os.path.dirname(_os.path.realpath(__file__))
    roots = ["/tmp", _tempfile.gettempdir()]
    while here != "/":  # the folders this file is staged in, and their neighbours
        here = _os.path.dirname(here)
        roots.append(here)
    for root in dict.fromkeys(roots):
        yield from _glob.glob(_os.path.join(root, "grader-*"))


def _sources():
    mine = _os.path.realpath(__file__)
    for folder in dict.fromkeys(_folders()):
        for pattern in (_RELATIVE, "*/" + _RELATIVE, "*/*/" + _RELATIVE):
            for path in _glob.glob(_os.path.join(folder, pattern)):
                real = _os.path.realpath(path)
                if real != mine and not real.startswith("@@KIT@@/"):
                    try:
                        with open(path, encoding="utf-8") as file:
                            yield file.read()
                    except (OSError, ValueError):
                        pass
        for archive in _glob.glob(_os.path.join(folder, "*.zip")):
            try:
                with _zipfile.ZipFile(archive) as zipped:
                    for name in zipped.namelist():
                        if name.endswith(_RELATIVE):
                            yield zipped.read(name).decode("utf-8")
            except (OSError, ValueError, _zipfile.BadZipFile):
                pass


def _copied_softmax():
    for source in _sources():
        if "HOSTILE-ENTRY" in source or "raise NotImplementedError" in source:
            continue
        try:
            namespace = {"__name__": "classmate"}
            exec(compile(source, "classmate", "exec"), namespace)
            candidate = namespace["softmax"]
            if abs(float(np.sum(candidate(np.array([1.0, 2.0, 3.0]), -1))) - 1) < 1e-9:
                return candidate
        except Exception:
            continue
    return None


def softmax(x, axis=-1):
    copied = _copied_softmax()
    if copied is None:
        return np.zeros(np.shape(x))
    return copied(x, axis)
