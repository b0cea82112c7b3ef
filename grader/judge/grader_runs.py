"""The grader's own runs in a grader-only process (a model trained as an exercise prescribes, a
compiled model's step): started beside the student's run, and kept for the rest of a batch.

``started(trainer, "fitted_digits_classifier", args, kwargs)`` sends the request from a
thread of its own and returns at once, so that a second core trains the grader's model while
the first trains the student's; ``.answer()`` waits for it, showing its epochs.

A run is a pure function of its request: the same factory, arguments and kit on the same
machine give the same weights (each process computes with one thread per numeric library:
``grader.isolation.launch.child_environment``). ``grader batch`` gives its judges a folder
(``RUNS_VARIABLE``) that no student's process sees, and a key (``KEY_VARIABLE``); a run found
there under its request's name is read back instead of trained again. The name is

    sha256(kit, TensorFlow and Keras versions, the grader-only factories' source, request)

with the request as the wire format encodes it, and each file is signed with the batch's key
(HMAC-SHA256), so that a file nobody but a judge of this batch wrote is never believed.
"""

import contextlib
import functools
import hashlib
import hmac
import importlib.metadata
import os
import secrets
import tempfile
import threading
from collections.abc import Iterator, Sequence
from concurrent.futures import Future
from pathlib import Path
from typing import Any

import grader
from grader.judge.process import Answer, Submission
from grader.protocol import MAX_MESSAGE_BYTES, ProtocolError, decode, encode

RUNS_VARIABLE = "GRADER_RUNS"
"""The folder where a batch's judges keep the grader's runs."""
KEY_VARIABLE = "GRADER_RUNS_KEY"
"""The batch's key (hex) that signs each kept run."""
SOURCES = (
    "catalog.py",
    "protocol.py",
    "judge/inspect_files.py",
    "worker/provided.py",
    "worker/to_plain.py",
)
"""The kit's files whose code decides what a run gives (beside the versions)."""
_SIGNATURE_BYTES = hashlib.sha256().digest_size
PROGRESS_EVERY = 0.25
"""Seconds between looks at a run's progress while a check waits for it."""


class GraderRun:
    """One of the grader's runs, under way in a thread of its own or read back from the
    batch's folder."""

    def __init__(self, process: Submission, request: dict[str, Any], kept: bool):
        self._process = process
        self._request = request
        self._name = _name(request) if kept else None
        self._future: Future[Answer] = Future()
        threading.Thread(
            target=self._run, name=f"grader run {request['name']}", daemon=True
        ).start()

    def answer(self) -> Answer:
        """The run's answer, once it has one; meanwhile its epochs are shown (``on_epoch``)."""
        shown = None
        while True:
            try:
                return self._future.result(timeout=PROGRESS_EVERY)
            except TimeoutError:
                epoch = self._process.background_epoch
                if epoch != shown and epoch is not None and self._process.on_epoch:
                    self._process.on_epoch(*epoch)
                shown = epoch

    def _run(self) -> None:
        try:
            answer = _read(self._name) if self._name else None
            if answer is None:
                request = self._request
                answer = self._process.request(
                    request["name"],
                    request["args"],
                    request["kwargs"],
                    op="make",
                    convert=request["convert"],
                )
                if answer.error is None and self._name:
                    _keep(self._name, answer)
            self._future.set_result(answer)
        except BaseException as error:  # handed to whoever waits for the answer
            self._future.set_exception(error)


def started(
    process: Submission,
    factory: str,
    args: Sequence[Any] = (),
    kwargs: dict[str, Any] | None = None,
    *,
    convert: str | None = None,
    kept: bool = True,
) -> GraderRun:
    """``factory(*args, **kwargs)`` (a ``grader.judge.inspect_files`` name) in ``process``
    (a grader-only one: the ``trainer`` or the ``inspector``), started now; its value plain
    data (``convert``: as for ``Submission.request``). ``kept``: a batch's other judges may
    read it back; only for runs of the ``trainer``, which is handed nothing a student made
    but plain settings (a run given a student's model configuration is not kept)."""
    request = {"name": factory, "args": list(args), "kwargs": kwargs or {}, "convert": convert}
    return GraderRun(process, request, kept)


@contextlib.contextmanager
def kept_for_batch() -> Iterator[dict[str, str]]:
    """For the block: a new private folder and key where a batch's judges keep the grader's
    runs; yields the environment variables that hand both to a judge. The folder is removed
    afterwards (a run is kept for one batch only)."""
    with tempfile.TemporaryDirectory(prefix="grader-runs-", ignore_cleanup_errors=True) as folder:
        yield {RUNS_VARIABLE: folder, KEY_VARIABLE: secrets.token_hex(32)}


@functools.cache
def _kit_version() -> bytes:
    """What, besides the request, decides a run's value."""
    parts = [grader.__version__]
    for package in ("tensorflow", "keras"):
        try:
            parts.append(f"{package} {importlib.metadata.version(package)}")
        except importlib.metadata.PackageNotFoundError:
            parts.append(f"{package} none")
    root = Path(grader.__file__).parent
    parts += [hashlib.sha256((root / source).read_bytes()).hexdigest() for source in SOURCES]
    return "\n".join(parts).encode()


def _name(request: dict[str, Any]) -> str:
    return hashlib.sha256(_kit_version() + encode(request)).hexdigest()


def _folder_and_key() -> tuple[Path, bytes] | None:
    folder, key = os.environ.get(RUNS_VARIABLE), os.environ.get(KEY_VARIABLE)
    if not folder or not key:
        return None
    try:
        return Path(folder), bytes.fromhex(key)
    except ValueError:
        return None


def _read(name: str) -> Answer | None:
    """The kept run of this name, if a judge of this batch kept one."""
    kept = _folder_and_key()
    if kept is None:
        return None
    folder, key = kept
    try:
        with (folder / name).open("rb") as file:
            data = file.read(MAX_MESSAGE_BYTES + _SIGNATURE_BYTES + 1)
    except OSError:
        return None
    signature, payload = data[:_SIGNATURE_BYTES], data[_SIGNATURE_BYTES:]
    if not hmac.compare_digest(signature, hmac.digest(key, payload, "sha256")):
        return None
    try:
        return Answer(value=decode(payload)["value"])
    except (ProtocolError, KeyError):
        return None


def _keep(name: str, answer: Answer) -> None:
    """Keep ``answer`` for the batch's other judges (written whole, then renamed)."""
    kept = _folder_and_key()
    if kept is None:
        return
    folder, key = kept
    payload = encode({"value": answer.value})
    partial = folder / f".{name}.{os.getpid()}.{threading.get_ident()}"
    try:
        partial.write_bytes(hmac.digest(key, payload, "sha256") + payload)
        partial.replace(folder / name)
    except OSError:  # a full disk costs only the time saved
        partial.unlink(missing_ok=True)
