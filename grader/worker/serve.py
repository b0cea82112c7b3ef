"""The child process that runs a student's module: ``python -m grader.worker.serve [FILE]``.

It imports the file, then answers the judge's requests one at a time over stdin/stdout, in
``plain_data`` messages: call a function or a method, read an attribute, or make one of the
objects the grader provides (``grader.worker.provided``).
A result can be kept in the process under a
handle, and turned into plain data by a converter (``grader.worker.to_plain``) before it is sent.
Whatever the student's code prints goes to stderr, never into the channel. Without a FILE the
process runs grader code only, for example to open files a student's code wrote.
"""

import importlib.util
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from grader.protocol import Handle, read_message, write_message

GRADER_FILE = Path("<grader>")


def _student_frames(error: BaseException, student_file: Path) -> list[traceback.FrameSummary]:
    return [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).resolve() == student_file
    ]


def _where(error: BaseException, student_file: Path) -> str:
    """The student's own line that raised, e.g. ``activations.py, line 12, in softmax``."""
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{student_file.name}, line {error.lineno}"
    frames = _student_frames(error, student_file)
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line}" if frame.line else ""
    return f"{student_file.name}, line {frame.lineno}, in {frame.name}{code}"


def _error(error: BaseException, student_file: Path) -> dict[str, Any]:
    text = str(error) if not isinstance(error, SyntaxError) else (error.msg or "")
    frames = _student_frames(error, student_file)
    return {
        "type": type(error).__name__,
        "message": text[:2000],
        "where": _where(error, student_file),
        "raised_in": frames[-1].name if frames else "",
    }


def _snapshot(value: Any) -> Any:
    """What an argument held before the call: its arrays' copies and its lists' items."""
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) is list:
        return [(item, _snapshot(item)) for item in value]
    return None


def _modified(label: str, before: Any, after: Any) -> list[str]:
    """Labels of the input arrays and lists the call changed."""
    if type(before) is np.ndarray:
        same = (
            type(after) is np.ndarray
            and before.shape == after.shape
            and before.dtype == after.dtype
            and np.array_equal(before, after, equal_nan=True)
        )
        return [] if same else [label]
    if type(before) is list:
        if type(after) is not list or len(after) != len(before):
            return [f"{label} (items added or removed)"]
        found = []
        for i, ((item, snapshot), now) in enumerate(zip(before, after, strict=True)):
            if now is not item:
                found.append(f"{label}[{i}] (the list item was replaced)")
            else:
                found += _modified(f"{label}[{i}]", snapshot, now)
        return found
    return []


class StudentSession:
    """The objects the judge's requests act on: the module and the objects kept by handle."""

    def __init__(self, student_file: Path | None):
        self.student_file = student_file
        self.module: Any = None
        self.objects: dict[int, Any] = {}

    @property
    def _file(self) -> Path:
        return self.student_file or GRADER_FILE

    def load(self) -> None:
        if self.student_file is None:
            return
        spec = importlib.util.spec_from_file_location(self.student_file.stem, self.student_file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {self.student_file.name}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.student_file.stem] = module
        spec.loader.exec_module(module)
        self.module = module

    def _resolve(self, value: Any) -> Any:
        """Arguments with every ``Handle`` replaced by the object it stands for."""
        if isinstance(value, Handle):
            return self.objects[value.id]
        if type(value) is list:
            return [self._resolve(item) for item in value]
        if type(value) is dict:
            return {k: self._resolve(v) for k, v in value.items()}
        return value

    def _target(self, request: dict[str, Any]) -> Any:
        if request["op"] == "make":
            from grader.worker.provided import FACTORIES

            return FACTORIES[request["name"]]
        handle = request.get("handle")
        owner = self.module if handle is None else self.objects[handle.id]
        return getattr(owner, request["name"])

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        try:
            target = self._target(request)
        except (AttributeError, KeyError) as error:
            fields = {"type": "AttributeError", "message": str(error), "where": "", "missing": True}
            return {"ok": False, "error": fields, "modified": []}
        except Exception as error:  # a property that raises
            return {"ok": False, "error": _error(error, self._file), "modified": []}
        if request["op"] == "getattr":
            return self._send(request, target, [])
        args, kwargs = self._resolve(request["args"]), self._resolve(request["kwargs"])
        before = [_snapshot(a) for a in args]
        kw_before = {k: _snapshot(v) for k, v in kwargs.items()}

        def changed() -> list[str]:
            found = [
                m
                for i, (b, a) in enumerate(zip(before, args, strict=True))
                for m in _modified(f"argument {i + 1}", b, a)
            ]
            return found + [m for k in kwargs for m in _modified(k, kw_before[k], kwargs[k])]

        try:
            result = target(*args, **kwargs)
        except NotImplementedError as error:
            fields = {**_error(error, self._file), "not_attempted": True}
            return {"ok": False, "error": fields, "modified": []}
        except Exception as error:
            return {"ok": False, "error": _error(error, self._file), "modified": changed()}
        return self._send(request, result, changed())

    def _send(self, request: dict[str, Any], result: Any, modified: list[str]) -> dict[str, Any]:
        """The reply for ``result``, kept and converted as asked; a converter's failure is an
        error of the answer, not of the process."""
        try:
            plain = result
            if request.get("convert"):
                from grader.worker.to_plain import CONVERTERS

                plain = CONVERTERS[request["convert"]](result)
            if request.get("keep"):
                handle = len(self.objects) + 1
                self.objects[handle] = result
                plain = {
                    "handle": handle,
                    "type": type(result).__name__,
                    "plain": plain if request.get("convert") else None,
                }
        except Exception as error:
            fields = {**_error(error, self._file), "unreadable": True}
            return {"ok": False, "error": fields, "modified": modified}
        return {"ok": True, "value": plain, "modified": modified}


def serve(student_file: Path | None, isolation: str = "none") -> None:
    """Load the module and answer requests until the judge hangs up.

    stdin and stdout are the channel to the judge; stderr takes whatever the student prints.
    ``isolation`` is the level of the walls this process is in, for the greeting.
    """
    channel_out = os.fdopen(os.dup(1), "wb")
    channel_in = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)  # the student's prints go to stderr, never into the channel
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the process's own stdin, kept open for its life
    session = StudentSession(student_file)
    try:
        session.load()
    except BaseException as error:  # SystemExit at import counts as a broken module too
        write_message(
            channel_out,
            {"ready": False, "error": _error(error, session._file), "isolation": isolation},
        )
        return
    write_message(channel_out, {"ready": True, "isolation": isolation})
    while True:
        try:
            request = read_message(channel_in)
        except EOFError:
            return
        reply = session.answer(request)
        sys.stdout.flush()
        sys.stderr.flush()
        write_message(channel_out, reply)
