"""How long a call into the student's code has run, in its own time.

A call may take ``limit`` seconds. On a machine that other gradings keep busy, the call's
processes also wait for a CPU that someone else holds; that wait is not the student's doing,
so it does not count against them:

    own time = wall time - max over the call's threads of their run-queue wait

The wait is the kernel's (the second field of ``/proc/PID/task/TID/schedstat``, in ns), read
for every process descended from the child the judge started, counted from the call's first
second (or half its limit) on: most calls end sooner, and then nothing is read. Where it
cannot be read (not Linux, or no schedstat), own time is wall time. However long the wait, a
call is stopped at ``WAIT_ALLOWANCE`` times its limit, and never after the run's deadline.
"""

import math
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

FIRST_LOOK = 1.0
"""Seconds into a call (at most half its limit) at which its threads' waits are first read."""
LOOK_EVERY = 1.0
"""Seconds between later readings."""
WAIT_ALLOWANCE = 3.0
"""A call is stopped at this many times its limit in wall time, whatever its wait."""
PROC = Path("/proc")

Waits = Callable[[], dict[int, float]]
"""Seconds each thread (by id) of the call's processes has waited for a CPU so far."""


def descendants(root: int) -> list[int]:
    """``root`` and every process below it, from the parent ids in ``/proc/*/stat``."""
    children: dict[int, list[int]] = {}
    try:
        entries = [entry for entry in os.listdir(PROC) if entry.isdigit()]
    except OSError:
        return [root]
    for entry in entries:
        try:
            stat = (PROC / entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rpartition(")")[2].split()  # after the command, which may hold spaces
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def thread_waits(root: int) -> dict[int, float]:
    """Seconds each thread of ``root``'s process tree has waited on a run queue."""
    waits = {}
    for pid in descendants(root):
        try:
            tasks = os.listdir(PROC / str(pid) / "task")
        except OSError:
            continue
        for task in tasks:
            try:
                fields = (PROC / str(pid) / "task" / task / "schedstat").read_text().split()
                waits[int(task)] = int(fields[1]) / 1e9
            except (OSError, IndexError, ValueError):
                continue
    return waits


def stop_time(start: float, limit: float, lost: float, latest: float) -> float:
    """When a call that began at ``start`` and has lost ``lost`` seconds to waiting is stopped:

    stop = min(start + limit + lost, start + WAIT_ALLOWANCE * limit, latest)
    """
    return min(start + limit + lost, start + WAIT_ALLOWANCE * limit, latest)


class CallTimer:
    """Calls ``stop`` once the call has run ``limit`` seconds of its own time (see above)."""

    def __init__(
        self, limit: float, stop: Callable[[], None], waits: Waits, latest: float = math.inf
    ):
        self.limit, self.latest = limit, latest
        self._stop, self._waits = stop, waits
        self._done = threading.Event()
        self._thread = threading.Thread(target=self._watch, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def cancel(self) -> None:
        self._done.set()

    def join(self) -> None:
        self._thread.join()

    def _watch(self) -> None:
        start = time.monotonic()
        first = min(FIRST_LOOK, self.limit / 2, self.latest - start)
        if self._done.wait(max(0.0, first)):
            return
        before, lost = self._waits(), 0.0
        while True:
            now = time.monotonic()
            end = stop_time(start, self.limit, lost, self.latest)
            if now >= end:
                self._stop()
                return
            if self._done.wait(min(end - now, LOOK_EVERY)):
                return
            current = self._waits()
            grown = [wait - before.get(thread, 0.0) for thread, wait in current.items()]
            lost = max([lost, *grown])
