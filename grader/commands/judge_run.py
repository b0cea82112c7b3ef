"""One judge process of ``grader batch``, with a wall-time limit.

The judge (``grader grade`` for one staged submission) runs in a new session; when it runs
out of time, or the batch is stopped, its whole process group is killed. What the judge
printed is kept in a file, and its end comes back for the report of a judge that failed.
"""

import contextlib
import os
import signal
import subprocess
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.isolation import fork_server
from grader.isolation.launch import grader_path

OUTPUT_SHOWN = 2000
"""Characters of a failed judge's output kept."""


@dataclass(frozen=True)
class JudgeRun:
    """How one judge ended."""

    code: int
    """Its exit code (negative: the signal that killed it)."""
    timed_out: bool
    output: str
    """The end of what the judge printed (its stdout and stderr)."""


class StoppedError(Exception):
    """The batch was stopped (Ctrl-C) while this judge ran; it was killed."""


def run_judge(
    command: list[str],
    workdir: Path,
    timeout: float,
    *,
    address: str | None = None,
    stop: threading.Event | None = None,
    shared: Mapping[str, str] | None = None,
) -> JudgeRun:
    """Run ``command`` in ``workdir`` and a new session, with the variables ``shared`` (what
    the batch's judges share) in its environment. After ``timeout`` seconds, or as soon as
    ``stop`` is set, its whole process group is killed."""
    stop = stop or threading.Event()
    env = {
        **os.environ,
        # The judge imports the very grader package this process runs, never another copy.
        "PYTHONPATH": grader_path(),
        "PYTHONSAFEPATH": "1",
        "TMPDIR": str(workdir),  # what a killed judge leaves behind goes with the folder
        **(shared or {}),
    }
    if address:
        env[fork_server.ADDRESS_VARIABLE] = address
    log = workdir / "judge-output.txt"
    with log.open("wb") as output:
        judge = subprocess.Popen(
            command,
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            cwd=workdir,
            env=env,
            start_new_session=True,
        )
        ended = _wait(judge, timeout, stop)
        if not ended:  # not reaped yet, so its process group cannot be anyone else's
            _kill_group(judge)
        code = judge.wait()
    if stop.is_set():
        raise StoppedError
    with log.open("rb") as output:
        output.seek(max(0, log.stat().st_size - OUTPUT_SHOWN))
        tail = output.read().decode("utf-8", "replace")
    return JudgeRun(code, not ended, tail)


def _wait(process: subprocess.Popen[bytes], timeout: float, stop: threading.Event) -> bool:
    """Whether ``process`` ended within ``timeout`` seconds; False as soon as ``stop`` is set."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0 and not stop.is_set():
        try:
            process.wait(min(left, 0.5))
            return True
        except subprocess.TimeoutExpired:
            continue
    return False


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()
