"""Input arrays the judge shares with the student's process, to see for itself what a call
changed in place.

For each call, the arrays among its arguments (and the arrays in an argument that is a list
or tuple) are written into one file in the student's working folder, which the student's
process maps (``grader.worker.serve``): the student's function computes on views of that
file. After the call the judge reads the file back and compares every array byte for byte
with what it wrote. Nothing the student's process says is needed, so patching the worker
hides nothing.
"""

import contextlib
import os
import tempfile
from pathlib import Path
from types import TracebackType
from typing import Any

import numpy as np

from grader.protocol import Shared

ALIGNMENT = 64
"""Each array starts at a multiple of this many bytes, as NumPy's own buffers do."""


def _give_to_folder_owner(handle: int, folder: Path) -> None:
    """A root judge's file in a working folder its sandbox owns (``grader.isolation.layers``
    drops a root grader's sandbox to a uid of its own) belongs to that uid, or it cannot be
    mapped there."""
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        owner = os.stat(folder)
        if owner.st_uid != 0:
            os.fchown(handle, owner.st_uid, owner.st_gid)


class SharedInputs:
    """The shared file of one call: ``place`` before it, ``changed`` after it."""

    def __init__(self, folder: Path):
        self.folder = folder
        self.path: Path | None = None
        self._placed: list[tuple[str, int, bytes]] = []
        """(label, offset, the bytes written) per array."""

    def place(self, request: dict[str, Any]) -> dict[str, Any]:
        """The request's ``args``, ``kwargs`` and ``shared`` (the file), with every input
        array replaced by a ``Shared`` view of the file; ``{}`` when the call has no array."""
        chunks: list[bytes] = []
        size = 0

        def share(label: str, value: Any) -> Any:
            nonlocal size
            if type(value) is not np.ndarray or value.dtype.kind not in "biufc":
                return value
            array = np.array(value, order="C")  # ascontiguousarray would make 0-d 1-d
            data = array.tobytes()
            offset = -size % ALIGNMENT + size
            chunks.append(b"\0" * (offset - size) + data)
            size = offset + len(data)
            self._placed.append((label, offset, data))
            return Shared(offset, tuple(array.shape), array.dtype.str)

        def share_argument(label: str, value: Any) -> Any:
            if type(value) in (list, tuple):
                items = [share(f"{label}[{i}]", item) for i, item in enumerate(value)]
                return items if type(value) is list else tuple(items)
            return share(label, value)

        args = [share_argument(f"argument {i + 1}", a) for i, a in enumerate(request["args"])]
        kwargs = {k: share_argument(k, v) for k, v in request["kwargs"].items()}
        if not self._placed:
            return {}
        handle, name = tempfile.mkstemp(prefix=".inputs-", dir=self.folder)
        _give_to_folder_owner(handle, self.folder)
        with os.fdopen(handle, "wb") as file:
            file.write(b"".join(chunks) or b"\0")  # an empty file cannot be mapped
        self.path = Path(name)
        return {"args": args, "kwargs": kwargs, "shared": name}

    def changed(self) -> list[str]:
        """Labels of the input arrays the call changed, e.g. ``["argument 1", "params[0]"]``;
        a file the student's code removed or cut short changed them all."""
        if self.path is None:
            return []
        try:
            content = self.path.read_bytes()
        except OSError:
            content = b""
        return [
            label
            for label, offset, data in self._placed
            if content[offset : offset + len(data)] != data
        ]

    def __enter__(self) -> "SharedInputs":
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        if self.path is not None:
            with contextlib.suppress(OSError):  # still mapped on Windows: the folder goes later
                self.path.unlink()
