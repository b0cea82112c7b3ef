"""The request loop beside a student's module (started by ``grader.isolation.child``).

It imports the file, then answers the judge's requests one at a time over stdin/stdout, in
``grader.protocol`` messages: call a function or a method, read an attribute, or make one of
the objects the grader provides (a ``FACTORIES`` table). A result can be kept in the process
under a handle, and turned into plain data by a converter (``grader.worker.to_plain``) before
it is sent. Whatever the student's code prints goes to stderr, never into the channel.

Nothing here decides a mark. Input arrays arrive in a file the judge maps too
(``Shared``), so the judge itself sees whether a call changed them; objects that compute
something for the student (ex04's optimizer) stay in the judge, and their methods are
requests back to it (``JudgeObject``).
"""

import importlib.util
import mmap
import os
import sys
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np

from grader.protocol import Handle, Shared, read_message, write_message
from grader.worker import progress

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
    found = {
        "type": type(error).__name__,
        "message": text[:2000],
        "where": _where(error, student_file),
        "raised_in": frames[-1].name if frames else "",
    }
    if isinstance(error, SyntaxError) and error.text:  # the line, and where Python stopped
        found["code"] = error.text.rstrip("\n")[:500]
        found["column"] = str(error.offset or 0)
    return found


def _items(value: Any) -> Any:
    """The items of an argument that is a list (their identities), else None."""
    return list(value) if type(value) is list else None


def _changed_lists(label: str, before: Any, after: Any) -> list[str]:
    """Labels of the input lists whose items the call replaced, added or removed. (Whether
    it changed an input *array* the judge sees for itself, in the shared file.)"""
    if before is None:
        return []
    if type(after) is not list or len(after) != len(before):
        return [f"{label} (items added or removed)"]
    return [
        f"{label}[{i}] (the list item was replaced)"
        for i, (item, now) in enumerate(zip(before, after, strict=True))
        if now is not item
    ]


class JudgeObject:
    """An object the judge keeps for the student's code, e.g. ex04's optimizer: its settings
    are plain attributes, each of its methods a request back to the judge, which computes the
    answer (and counts the calls) in its own process."""

    def __init__(
        self,
        ask: Callable[[dict[str, Any]], Any],
        handle: int,
        methods: list[str],
        attributes: dict[str, Any],
    ):
        self.__dict__.update(attributes)
        for method in methods:
            setattr(self, method, self._method(ask, handle, method))

    @staticmethod
    def _method(ask: Callable[[dict[str, Any]], Any], handle: int, name: str) -> Callable:
        def method(*args: Any, **kwargs: Any) -> Any:
            return ask({"handle": handle, "method": name, "args": list(args), "kwargs": kwargs})

        method.__name__ = name
        return method


class JudgeError(Exception):
    """What the judge answered when a student's code used one of its objects wrongly."""


class StudentSession:
    """The objects the judge's requests act on: the module and the objects kept by handle."""

    def __init__(
        self,
        student_file: Path | None,
        factories: dict[str, Callable[..., Any]],
        channel: tuple[BinaryIO, BinaryIO] | None = None,
    ):
        self.student_file = student_file
        self.factories = factories
        self.channel = channel
        """(from the judge, to the judge): for requests back to the judge during a call."""
        self.module: Any = None
        self.objects: dict[int, Any] = {}
        self._shared: mmap.mmap | None = None

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

    def ask(self, callback: dict[str, Any]) -> Any:
        """Send ``callback`` to the judge and wait for its answer (a ``JudgeObject``'s call)."""
        if self.channel is None:
            raise JudgeError("no judge to ask")
        channel_in, channel_out = self.channel
        write_message(channel_out, {"callback": callback})
        reply = read_message(channel_in)
        if not reply.get("ok"):
            raise JudgeError(str(reply.get("error", "the judge refused")))
        return reply.get("value")

    def _judge_object(self, handle: int, methods: list[str], attributes: dict[str, Any]) -> Any:
        return JudgeObject(self.ask, handle, methods, attributes)

    def _map(self, path: str | None) -> None:
        """Map the judge's file of input arrays for this request (None: there is none)."""
        self._shared = None
        if path:
            with open(path, "r+b") as file:
                self._shared = mmap.mmap(file.fileno(), 0)

    def _resolve(self, value: Any) -> Any:
        """Arguments with every ``Handle`` replaced by the object it stands for, and every
        ``Shared`` by an array over the judge's file."""
        if isinstance(value, Handle):
            return self.objects[value.id]
        if isinstance(value, Shared):
            if self._shared is None:
                raise KeyError("an input array without its file")
            dtype = np.dtype(value.dtype)
            count = int(np.prod(value.shape, dtype=np.int64))
            flat = np.frombuffer(self._shared, dtype=dtype, count=count, offset=value.offset)
            return flat.reshape(value.shape)
        if type(value) is list:
            return [self._resolve(item) for item in value]
        if type(value) is dict:
            return {k: self._resolve(v) for k, v in value.items()}
        return value

    def _target(self, request: dict[str, Any]) -> Any:
        if request["op"] == "make":
            return self.factories[request["name"]]
        if request["op"] == "judge_object":
            return self._judge_object
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
        try:
            self._map(request.get("shared"))
            args, kwargs = self._resolve(request["args"]), self._resolve(request["kwargs"])
        except (OSError, ValueError, KeyError) as error:
            fields = {"type": type(error).__name__, "message": str(error), "where": ""}
            return {"ok": False, "error": {**fields, "unreadable": True}, "modified": []}
        before = [_items(a) for a in args]
        kw_before = {k: _items(v) for k, v in kwargs.items()}

        def changed() -> list[str]:
            found = [
                m
                for i, (b, a) in enumerate(zip(before, args, strict=True))
                for m in _changed_lists(f"argument {i + 1}", b, a)
            ]
            return found + [m for k in kwargs for m in _changed_lists(k, kw_before[k], kwargs[k])]

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


def serve(
    student_file: Path | None, factories: dict[str, Callable[..., Any]], isolation: str = "none"
) -> None:
    """Load the module and answer requests until the judge hangs up.

    stdin and stdout are the channel to the judge; stderr takes whatever the student prints.
    ``isolation`` is the level of the walls this process is in, for the greeting.
    """
    channel_out = os.fdopen(os.dup(1), "wb")
    channel_in = os.fdopen(os.dup(0), "rb")
    os.dup2(2, 1)  # the student's prints go to stderr, never into the channel
    sys.stdin = open(os.devnull)  # noqa: SIM115 - the process's own stdin, kept open for its life
    session = StudentSession(student_file, factories, (channel_in, channel_out))
    progress.connect(lambda message: write_message(channel_out, message))
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
