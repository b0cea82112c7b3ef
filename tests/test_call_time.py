"""A call's time limit counts the student's own time: what its threads waited for a CPU that
other gradings held is given back, up to a cap (grader.judge.call_time)."""

import os
import subprocess
import sys
import threading
import time

import pytest

from grader.judge import call_time
from grader.judge.call_time import WAIT_ALLOWANCE, CallTimer, stop_time, thread_waits

pytestmark = pytest.mark.skipif(not os.path.exists("/proc/self/schedstat"), reason="Linux only")


def test_the_stop_time_adds_the_wait_up_to_the_cap_and_never_passes_the_deadline() -> None:
    assert stop_time(100.0, 10.0, 0.0, float("inf")) == 110.0
    assert stop_time(100.0, 10.0, 4.5, float("inf")) == 114.5
    assert stop_time(100.0, 10.0, 50.0, float("inf")) == 100.0 + WAIT_ALLOWANCE * 10.0
    assert stop_time(100.0, 10.0, 4.5, 105.0) == 105.0


def test_the_waits_of_a_child_process_and_its_own_child_are_read() -> None:
    """Every thread of the tree below the judge's child, with its run-queue wait in seconds."""
    script = (
        "import subprocess, sys, time; p = subprocess.Popen([sys.executable, '-c', "
        "'import time; time.sleep(30)']); print(p.pid, flush=True); time.sleep(30)"
    )
    child = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        grandchild = int(child.stdout.readline())
        waits = thread_waits(child.pid)
        assert {child.pid, grandchild} <= set(waits), waits
        assert all(wait >= 0 for wait in waits.values())
    finally:
        child.kill()
        child.wait()
    assert thread_waits(child.pid) == {}, "a process that is gone has no threads"


def _timed(limit: float, lost_per_second: float, monkeypatch: pytest.MonkeyPatch) -> float:
    """Seconds until a CallTimer stops a call whose threads wait ``lost_per_second`` of each
    second (simulated), read every 20 ms."""
    monkeypatch.setattr(call_time, "FIRST_LOOK", 0.02)
    monkeypatch.setattr(call_time, "LOOK_EVERY", 0.02)
    start = time.monotonic()
    stopped = threading.Event()

    def waits() -> dict[int, float]:
        return {1: lost_per_second * (time.monotonic() - start)}

    timer = CallTimer(limit, stopped.set, waits)
    timer.start()
    assert stopped.wait(30), "the call was never stopped"
    timer.join()
    return time.monotonic() - start


def test_a_call_that_waits_half_of_the_time_gets_about_twice_its_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Own time = wall - wait: at 0.5 s of wait per second, 0.4 s of own time is 0.8 s of wall."""
    assert _timed(0.4, 0.5, monkeypatch) >= 0.7


def test_a_call_that_never_waits_is_stopped_and_one_that_always_waits_is_stopped_at_the_cap(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert _timed(0.2, 0.0, monkeypatch) >= 0.2
    assert _timed(0.2, 1.0, monkeypatch) >= WAIT_ALLOWANCE * 0.2 - 0.01
