"""The judge's handle on one student file, whose code runs in a child process.

``Submission(path).call("softmax", x, axis=0)`` sends plain data to a
``grader.worker.serve`` child and returns an ``Answer`` rebuilt from plain data. A call
that runs past the time limit or kills its process ends in an ``Answer`` with an error;
the next call starts a fresh child.
"""

import contextlib
import math
import os
import re
import signal
import stat
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from grader.isolation.launch import Child, child_environment, launch
from grader.isolation.layers import host_root, sandbox_uid
from grader.isolation.sandbox import (
    DISK_EXIT,
    MEMORY_EXIT,
    OUTPUT_LIMIT_BYTES,
    PROCESS_EXIT,
    Policy,
    requested,
)
from grader.judge.call_time import CallTimer, thread_waits
from grader.judge.shared_inputs import SharedInputs
from grader.protocol import Handle, ProtocolError, read_message, write_message
from grader.words import say

CALLBACK_LIMIT = 100_000
"""Requests back to the judge (a provided optimizer's steps) one call may make."""
PROGRESS_LIMIT = 100_000
"""Epoch events (``grader.worker.progress``) one call may send; more are its reply."""
EPOCH_LIMIT = 1_000_000
"""The most epochs an epoch event may count; one with more is not shown."""
MINIMUM_WAIT = 0.1
"""Seconds a call may take when the run's deadline has passed (it is then stopped)."""
STOP_WAIT = 30.0
"""Seconds to wait for a stopped child to be gone."""
IMPORT_TIMEOUT = 120.0
"""Seconds the student's module may take to import (TensorFlow alone takes several)."""
PRINTED_LIMIT = 4000
"""Characters of the student's printed output kept per call."""
ERROR_TEXT_LIMIT = 2000
"""Characters of an exception's type, message or line kept."""
LIBRARY_LOG_LINE = re.compile(
    r"[IWEF]\d{4} [\d:.]+ +\d+ \S+:\d+\] "  # absl, C++ and Python: "I0000 00:00:1.5  7 x.cc:31] "
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\] "  # TensorFlow's own, before 2.16
    r"|WARNING: All log messages before absl::InitializeLog"
    r"|To enable the following instructions: "
    r"|(WARNING|INFO|ERROR|DEBUG):(tensorflow|absl|h5py):"  # Python loggers' default format
)
"""A line that TensorFlow, absl or their Python loggers wrote, whatever TF_CPP_MIN_LOG_LEVEL
says: told apart from the student's own output by its shape (severity letter, date, thread,
``file:line]``), not by one timestamp format."""


@dataclass(frozen=True)
class StudentError:
    """Why a call into the student's code gave no value."""

    kind: str
    """``not_attempted``, ``exception``, ``missing``, ``import``, ``timeout`` or ``crashed``."""
    type: str = ""
    """The exception's class name, e.g. ``ValueError``."""
    message: str = ""
    where: str = ""
    """The student's line that raised: ``activations.py, line 12, in softmax: ...``."""
    raised_in: str = ""
    code: str = ""
    """For a syntax error: the line Python could not read, and the column it stopped at."""
    column: int = 0
    repeat: bool = False
    """An import error already shown in full in an earlier check of the same file."""
    """The student's function that raised; for ``not_attempted``, the one still to write."""
    called: str = ""
    """The function, class or method the judge called."""


@dataclass(frozen=True)
class Answer:
    """What one call gave back: a plain value or an error, and its side effects."""

    value: Any = None
    error: StudentError | None = None
    modified: list[str] = field(default_factory=list)
    """Input arrays the call changed in place, e.g. ``["argument 1"]`` or ``["argument 1[0]"]``."""
    printed: str = ""
    plain: Any = None
    """For a result kept in the student's process: its converted plain data, if asked for."""


class Submission:
    """One student module in its own process; every value crossing back is plain data.

    ``Submission(None)`` runs grader code only, for example to open a file a student's code
    wrote without student code in the same process.
    """

    def __init__(
        self,
        student_file: Path | None,
        *,
        timeout: float = 10.0,
        writable: Sequence[str] = (),
        deadline: float | None = None,
    ):
        self.student_file = Path(student_file).resolve() if student_file else None
        self.timeout = timeout
        self.deadline = deadline
        """``time.monotonic()`` after which no call may run on (the whole run's time limit)."""
        self._writable = tuple(writable)
        """Folders besides its working folder the child may write in, when sandboxed."""
        self._process: Child | None = None
        self._generation = 0
        """How many processes have been started: handles of an earlier one are refused."""
        self._output: Any = None
        self._import_error: StudentError | None = None
        self._workdir: tempfile.TemporaryDirectory[str] | None = None
        self._serving = threading.RLock()
        """Held for one request: a grader's run in another thread waits its turn."""
        self._closed = False
        self.background_epoch: tuple[int, int] | None = None
        """The newest epoch event of a request from another thread (a grader's run): shown
        by the main thread while it waits for that run (``grader_runs.GraderRun.answer``)."""
        self._timed_out: set[str] = set()
        """Functions that ran past the time limit once: not called again."""
        self.printed: list[str] = []
        """Everything the student's code printed, call by call (capped per call)."""
        self.memo: dict[str, Any] = {}
        """Results checks share (one training run for several checks); emptied on restart."""
        self.isolation = "none"
        """How the child was walled in: a ``grader.isolation.sandbox.LEVELS`` name, or ``none``."""
        self._sandbox_uid = 0
        """The uid this judge's sandboxes drop to (graded as root), else 0."""
        self.layers: list[dict[str, Any]] | None = None
        """Each wall around the child and whether it stood (``grader.isolation.layers``)."""
        self._judge_objects: dict[int, Any] = {}
        """Objects the judge keeps for the student's code (``provide``), by their handle."""
        self.callback_limit = CALLBACK_LIMIT
        self.on_epoch: Callable[[int, int], None] | None = None
        """Told each epoch a training run in the child finished, and of how many (display
        only: the child's word, shown to say a check is under way, never marked)."""

    @property
    def workdir(self) -> Path | None:
        """The student's process's working folder (where relative paths land)."""
        return Path(self._workdir.name) if self._workdir else None

    def _start(self) -> None:
        self._discard()
        self._remove_files()  # a child that timed out or crashed leaves its files behind
        self._generation += 1
        self.memo = {}
        self._judge_objects = {}
        # The output file and the folder live as long as the child: closed in close().
        self._output = tempfile.TemporaryFile()  # noqa: SIM115
        self._workdir = tempfile.TemporaryDirectory(prefix="grader-student-")
        workdir = self._workdir.name
        self._process = launch(
            str(self.student_file) if self.student_file else None,
            self._policy(workdir),
            cwd=workdir,
            env=child_environment(workdir),
            stderr=self._output,
        )
        reply = self._exchange(None, max(self.timeout, IMPORT_TIMEOUT))
        # The supervisor's word, even when the student's module never answered.
        self.isolation = self._process.isolation() or "none"
        self.layers = self._process.layers() if self.isolation != "none" else None
        if isinstance(reply, StudentError):
            printed = self._printed_since(0).strip()
            message = reply.message
            if printed:
                message += "\n" + say("status.printed", text=printed)
            self._import_error = StudentError("import", type=reply.kind, message=message)
            self._discard()
        elif not reply.get("ready"):
            self._import_error = StudentError("import", **_error_fields(reply.get("error")))
            self._discard()

    def _policy(self, workdir: str) -> Policy | None:
        """The judge's sandbox policy, opened for this child: the student's own folder to read,
        its working folder to write. Grader-only children keep the temporary folders, where
        the files students' code wrote are."""
        policy = requested()
        if policy is None:
            return None
        writable = (workdir, *self._writable)
        if self.student_file is None:  # grader code only: it keeps the judge's own uid
            return replace(
                policy, private_tmp=False, writable=writable, show_grader=True, drop_uid=False
            )
        if host_root() and policy.drop_uid:  # this judge's sandboxes share its folders: one uid
            policy = replace(policy, sandbox_uid=sandbox_uid(os.getpid()))
            self._sandbox_uid = policy.sandbox_uid
        return replace(policy, visible=(str(self.student_file.parent),), writable=writable)

    def _hand_over_folders(self) -> None:
        """A root judge's sandbox runs under a uid of its own: what this judge made in the
        folders the student's code may write in since (pytest's ``tmp_path`` of a check) is
        handed to that uid, or the student's code could not write there; its folders may be
        crossed by others (the inspector, which opens what the student's code saved there)."""
        uid = self._sandbox_uid
        if not uid:
            return
        for folder in self._writable:
            for root, folders, files in os.walk(folder):
                for name in (root, *(os.path.join(root, n) for n in (*folders, *files))):
                    with contextlib.suppress(OSError):
                        found = os.lstat(name)
                        if found.st_uid == 0:
                            os.lchown(name, uid, uid)
                        if stat.S_ISDIR(found.st_mode):  # the inspector (root) may go in
                            os.chmod(name, stat.S_IMODE(found.st_mode) | 0o111)

    def _exchange(
        self, request: dict[str, Any] | None, timeout: float
    ) -> dict[str, Any] | StudentError:
        """Send a request (or nothing, to read the greeting) and wait for the reply."""
        if request is not None:
            self._hand_over_folders()
        latest = math.inf
        if self.deadline is not None:
            timeout = max(min(timeout, self.deadline - time.monotonic()), MINIMUM_WAIT)
            latest = time.monotonic() + timeout
        process = self._process
        assert process is not None and process.stdin is not None and process.stdout is not None
        timed_out = threading.Event()

        def stop() -> None:
            timed_out.set()
            process.stop()

        timer = CallTimer(timeout, stop, lambda: thread_waits(process.pid), latest)
        timer.start()
        try:
            if request is not None:
                write_message(process.stdin, request)
            reply = read_message(process.stdout)
            callbacks = events = 0
            while ("callback" in reply and callbacks < self.callback_limit) or (
                "progress" in reply and events < PROGRESS_LIMIT
            ):
                if "progress" in reply:
                    events += 1
                    self._show_epoch(reply["progress"])
                else:
                    callbacks += 1
                    write_message(process.stdin, self._answer_callback(reply["callback"]))
                reply = read_message(process.stdout)
        except (EOFError, OSError, ProtocolError) as error:
            timer.cancel()
            timer.join()
            if timed_out.is_set():
                return StudentError("timeout", message=say("process.no_answer", seconds=timeout))
            try:  # the channel closes as the process exits: give it a moment to finish
                code = process.wait(timeout=2)
            except subprocess.TimeoutExpired:
                process.stop()
                code = process.wait(STOP_WAIT)
            return StudentError("crashed", message=_ended(code, error))
        timer.cancel()
        timer.join()
        if timed_out.is_set():  # the answer came as the time ran out: the process is gone
            self._discard()
        return reply

    def provide(self, obj: Any) -> Answer:
        """Hand ``obj`` (a ``grader.judge.provided`` object) to the student's code: it gets a
        stand-in whose methods are requests back to this process, where ``obj`` computes. The
        answer's value is the stand-in's Handle (or its error: the module did not import)."""
        handle = len(self._judge_objects) + 1
        answer = self.request(
            "judge_object",
            (handle, list(obj.methods), obj.attributes()),
            op="judge_object",
            keep=True,
        )
        if answer.error is None:
            self._judge_objects[handle] = obj
        return answer

    def _show_epoch(self, event: Any) -> None:
        """Hand a well-formed epoch event (``{"epoch": 3, "epochs": 10}``) to ``on_epoch``; of
        a request from another thread, keep it in ``background_epoch`` (the terminal is the
        main thread's)."""
        if self.on_epoch is None or not isinstance(event, dict):
            return
        epoch, epochs = event.get("epoch"), event.get("epochs")
        if type(epoch) is int and type(epochs) is int and 0 < epoch <= epochs <= EPOCH_LIMIT:
            if threading.current_thread() is threading.main_thread():
                self.on_epoch(epoch, epochs)
            else:
                self.background_epoch = (epoch, epochs)

    def _answer_callback(self, callback: Any) -> dict[str, Any]:
        """The judge's answer to a ``JudgeObject``'s method call from the student's process."""
        if not isinstance(callback, dict):
            return {"ok": False, "error": "not a request"}
        obj = self._judge_objects.get(callback.get("handle"))  # type: ignore[arg-type]
        method = callback.get("method")
        if obj is None or method not in obj.methods:
            return {"ok": False, "error": f"no such method: {method}"}
        args, kwargs = callback.get("args"), callback.get("kwargs")
        if not isinstance(args, list) or not isinstance(kwargs, dict):
            return {"ok": False, "error": "arguments must be a list and a dict"}
        try:
            return {"ok": True, "value": getattr(obj, method)(*args, **kwargs)}
        except (TypeError, ValueError) as error:
            return {"ok": False, "error": f"{type(error).__name__}: {error}"}

    def judge_object(self, handle: Handle) -> Any:
        """The judge's own object behind a handle ``provide`` gave."""
        return self._judge_objects[handle.id] if handle.generation == self._generation else None

    def _request(self, request: dict[str, Any]) -> Answer:
        with self._serving:
            return self._served(request)

    def _served(self, request: dict[str, Any]) -> Answer:
        if self._closed:  # a grader's run that nobody waited for, after the session's end
            return Answer(error=StudentError("crashed", type="closed"))
        if request["name"] in self._timed_out:
            return Answer(error=StudentError("timeout", type="repeat"))
        if self._stale(request):
            return Answer(error=StudentError("crashed", type="stale"))
        if self._process is None or self._process.poll() is not None:
            if self._import_error is None:
                self._start()
            if self._import_error is not None:
                error, self._import_error = (
                    self._import_error,
                    replace(self._import_error, repeat=True),
                )
                return Answer(error=error)
        mark = self._output.seek(0, os.SEEK_END)
        assert self._workdir is not None
        with SharedInputs(Path(self._workdir.name)) as shared:
            request = {**request, **shared.place(request)}
            reply = self._exchange(request, self.timeout)
            changed = shared.changed() if not isinstance(reply, StudentError) else []
        printed = self._printed_since(mark)
        if printed:
            self.printed.append(printed)
        if isinstance(reply, StudentError):
            self._discard()
            if reply.kind == "timeout":
                self._timed_out.add(request["name"])
            return Answer(error=reply, printed=printed)
        # Arrays: what the judge read back itself. Lists: the student's process's word.
        lists = [str(m) for m in reply.get("modified") or [] if "(" in str(m)]
        modified = changed + lists
        if not reply.get("ok"):
            fields = reply.get("error") or {}
            kind = next(
                (k for k in ("not_attempted", "missing", "unreadable") if fields.get(k)),
                "exception",
            )
            error = StudentError(kind, called=request["name"], **_error_fields(fields))
            return Answer(error=error, modified=modified, printed=printed)
        value, plain = reply.get("value"), None
        if request.get("keep") and isinstance(value, dict):
            plain = value.get("plain")
            value = Handle(int(value["handle"]), str(value["type"]), self._generation)
        return Answer(value=value, modified=modified, printed=printed, plain=plain)

    def _stale(self, request: dict[str, Any]) -> bool:
        """Whether the request names an object of a process that is gone."""

        def stale(value: Any) -> bool:
            if isinstance(value, Handle):
                return value.generation != self._generation
            if isinstance(value, list | tuple):
                return any(stale(v) for v in value)
            if isinstance(value, dict):
                return any(stale(v) for v in value.values())
            return False

        return stale([request["handle"], request["args"], request["kwargs"]])

    def _printed_since(self, mark: int) -> str:
        """What the student's process wrote since ``mark``, without TensorFlow's own logging."""
        self._output.seek(mark)
        text = self._output.read(PRINTED_LIMIT + 1).decode("utf-8", "replace")
        text = without_library_logs(text)
        return text if len(text) <= PRINTED_LIMIT else text[:PRINTED_LIMIT] + "\n[... cut]"

    def request(
        self,
        name: str,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
        *,
        op: str = "call",
        handle: Handle | None = None,
        keep: bool = False,
        convert: str | None = None,
    ) -> Answer:
        """One request to the student's process.

        Args:
            name: the function, class, method, attribute or (``op="make"``) provided object.
            args, kwargs: plain data, and ``Handle``s of kept objects.
            op: ``"call"``, ``"getattr"`` or ``"make"`` (one of the factories the
                process offers).
            handle: the kept object whose method or attribute is meant; None for the module.
            keep: keep the result in the student's process; the answer's value is its Handle.
            convert: a ``grader.worker.to_plain.CONVERTERS`` name that turns the result into plain
                data before it is sent (into ``Answer.plain`` when the result is kept).
        """
        return self._request(
            {
                "op": op,
                "handle": handle,
                "name": name,
                "args": list(args),
                "kwargs": kwargs or {},
                "keep": keep,
                "convert": convert,
            }
        )

    def call(self, function: str, *args: Any, **kwargs: Any) -> Answer:
        """``module.function(*args, **kwargs)`` in the student's process."""
        return self.request(function, args, kwargs)

    def create(self, class_name: str, **kwargs: Any) -> Answer:
        """``module.ClassName(**kwargs)``, kept; the answer's value is a ``Handle``."""
        return self.request(class_name, (), kwargs, keep=True)

    def call_method(self, handle: Handle, method: str, *args: Any, **kwargs: Any) -> Answer:
        return self.request(method, args, kwargs, handle=handle)

    def attribute(self, handle: Handle, name: str) -> Answer:
        return self.request(name, op="getattr", handle=handle)

    def _discard(self) -> None:
        """Stop the child and everything it started, and close its pipes."""
        process, self._process = self._process, None
        if process is None:
            return
        process.stop()
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_WAIT)
        for stream in (process.stdin, process.stdout):
            if stream is not None:
                with contextlib.suppress(OSError):
                    stream.close()

    def close(self) -> None:
        """Stop the child and remove its files; a request after this gets an error. A request
        under way in another thread ends as its child is stopped, before the files go."""
        self._closed = True
        self._discard()
        with self._serving:
            self._remove_files()

    def _remove_files(self) -> None:
        if self._output is not None:
            self._output.close()
            self._output = None
        if self._workdir is not None:
            self._workdir.cleanup()
            self._workdir = None


def without_library_logs(text: str) -> str:
    """``text`` without the lines TensorFlow and absl logged (``LIBRARY_LOG_LINE``)."""
    return "".join(
        line for line in text.splitlines(keepends=True) if not LIBRARY_LOG_LINE.match(line)
    )


def _ended(code: int, error: BaseException) -> str:
    """Why the student's process stopped answering, in the feedback language."""
    if isinstance(error, ProtocolError):
        return say("process.unreadable", error=error)
    if code == -getattr(signal, "SIGXFSZ", 0):
        return say("process.output_limit", megabytes=OUTPUT_LIMIT_BYTES // 2**20)
    if code == MEMORY_EXIT:
        return say("process.memory_limit")
    if code == DISK_EXIT:
        return say("process.disk_limit")
    if code == PROCESS_EXIT:
        return say("process.process_limit", processes=Policy().processes)
    if code == -getattr(signal, "SIGXCPU", 0):
        return say("process.cpu_limit")
    if code < 0:
        try:
            name = signal.Signals(-code).name
        except ValueError:
            name = say("process.signal_number", number=-code)
        return say("process.killed", signal=name)
    return say("process.exit_code", code=code)


def _error_fields(fields: Any) -> dict[str, Any]:
    fields = fields if isinstance(fields, dict) else {}
    # Capped here too: the student's process could send any length.
    keys = ("type", "message", "where", "raised_in", "code")
    found: dict[str, Any] = {key: str(fields.get(key, ""))[:ERROR_TEXT_LIMIT] for key in keys}
    column = str(fields.get("column", "0"))
    found["column"] = min(int(column), ERROR_TEXT_LIMIT) if column.isdigit() else 0
    return found
