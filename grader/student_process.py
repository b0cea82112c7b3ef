"""The child process that runs a student's module: ``python -m grader.student_process FILE``.

It imports the file, then answers the judge's requests (call a function, create an object,
call a method, read an attribute) one at a time over stdin/stdout, in ``plain_data``
messages. Whatever the student's code prints goes to stderr, never into the channel.
"""

import importlib.util
import os
import sys
import traceback
from pathlib import Path
from typing import Any

import numpy as np

from grader.plain_data import read_message, write_message


def _where(error: BaseException, student_file: Path) -> str:
    """The student's own line that raised, e.g. ``activations.py, line 12, in softmax``."""
    frames = [
        f
        for f in traceback.extract_tb(error.__traceback__)
        if Path(f.filename).resolve() == student_file
    ]
    if isinstance(error, SyntaxError) and error.lineno:
        return f"{student_file.name}, line {error.lineno}"
    if not frames:
        return ""
    frame = frames[-1]
    code = f": {frame.line}" if frame.line else ""
    return f"{student_file.name}, line {frame.lineno}, in {frame.name}{code}"


def _error(error: BaseException, student_file: Path) -> dict[str, Any]:
    text = str(error) if not isinstance(error, SyntaxError) else (error.msg or "")
    return {
        "type": type(error).__name__,
        "message": text[:2000],
        "where": _where(error, student_file),
    }


def _copy_inputs(value: Any) -> Any:
    if type(value) is np.ndarray:
        return value.copy()
    if type(value) in (list, tuple):
        return [_copy_inputs(item) for item in value]
    return value


def _modified(label: str, before: Any, after: Any) -> list[str]:
    """Labels of the input arrays the call changed in place."""
    if type(before) is np.ndarray:
        same = (
            before.shape == after.shape
            and before.dtype == after.dtype
            and np.array_equal(before, after, equal_nan=True)
        )
        return [] if same else [label]
    if type(before) is list:
        return [
            m
            for i, (b, a) in enumerate(zip(before, after, strict=False))
            for m in _modified(f"{label}[{i}]", b, a)
        ]
    return []


def _all_modified(before: list, args: list, kw_before: dict, kwargs: dict) -> list[str]:
    found = [
        m
        for i, (b, a) in enumerate(zip(before, args, strict=True))
        for m in _modified(f"argument {i + 1}", b, a)
    ]
    return found + [m for k in kwargs for m in _modified(k, kw_before[k], kwargs[k])]


class StudentSession:
    """The objects the judge's requests act on: the module and the objects it created."""

    def __init__(self, student_file: Path):
        self.student_file = student_file
        self.module: Any = None
        self.objects: dict[int, Any] = {}

    def load(self) -> None:
        spec = importlib.util.spec_from_file_location(self.student_file.stem, self.student_file)
        if spec is None or spec.loader is None:
            raise ImportError(f"cannot load {self.student_file.name}")
        module = importlib.util.module_from_spec(spec)
        sys.modules[self.student_file.stem] = module
        spec.loader.exec_module(module)
        self.module = module

    def _target(self, request: dict[str, Any]) -> Any:
        if request.get("handle") is None:
            return getattr(self.module, request["name"])
        obj = self.objects[request["handle"]]
        return getattr(obj, request["name"])

    def answer(self, request: dict[str, Any]) -> dict[str, Any]:
        op = request["op"]
        try:
            target = self._target(request)
        except AttributeError as error:
            return {
                "ok": False,
                "error": {
                    "type": "AttributeError",
                    "message": str(error),
                    "where": "",
                    "missing": True,
                },
            }
        if op == "getattr":
            return {"ok": True, "value": target, "modified": []}
        args, kwargs = request["args"], request["kwargs"]
        before = [_copy_inputs(a) for a in args]
        kw_before = {k: _copy_inputs(v) for k, v in kwargs.items()}
        try:
            result = target(*args, **kwargs)
        except NotImplementedError as error:
            error_fields = {**_error(error, self.student_file), "not_attempted": True}
            return {"ok": False, "error": error_fields, "modified": []}
        except Exception as error:
            modified = _all_modified(before, args, kw_before, kwargs)
            return {"ok": False, "error": _error(error, self.student_file), "modified": modified}
        modified = _all_modified(before, args, kw_before, kwargs)
        if op == "new":
            handle = len(self.objects) + 1
            self.objects[handle] = result
            return {
                "ok": True,
                "value": {"handle": handle, "type": type(result).__name__},
                "modified": modified,
            }
        return {"ok": True, "value": result, "modified": modified}


def main() -> None:
    student_file = Path(sys.argv[1]).resolve()
    channel_out = os.fdopen(os.dup(1), "wb")
    channel_in = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)  # the student's prints go to stderr, never into the channel
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the process's own stdin, kept open for its life
    session = StudentSession(student_file)
    try:
        session.load()
    except BaseException as error:  # SystemExit at import counts as a broken module too
        write_message(channel_out, {"ready": False, "error": _error(error, student_file)})
        return
    write_message(channel_out, {"ready": True})
    while True:
        try:
            request = read_message(channel_in)
        except EOFError:
            return
        write_message(channel_out, session.answer(request))


if __name__ == "__main__":
    main()
