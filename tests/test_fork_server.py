"""A run of the checks that checks a Keras exercise forks its processes from one fork server
that imported TensorFlow once (grader.isolation.fork_server.Server): unwalled for a student's
own run, walled for a judge; and behaves exactly as with fresh interpreters."""

import json
import os
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from processes import command_line, descendants, running

from grader import GRADER_ROOT
from grader.isolation import fork_server, launch
from grader.isolation.launch import ADDRESS_VARIABLE
from grader.isolation.sandbox import POLICY_VARIABLE
from grader.judge.process import Submission

pytestmark = pytest.mark.skipif(not fork_server.available(), reason="the fork server is Linux's")
SOLUTION = GRADER_ROOT / "solutions" / "ex05_build_compile" / "build_compile.py"
PROBE = """
import os, sys, time

def preloaded():
    return "sklearn.model_selection" in sys.modules  # the server imports it; nothing here does

def ends(code):
    os._exit(code)

def loops():
    while True:
        pass
"""


@pytest.fixture(scope="module")
def unwalled() -> Iterator[fork_server.Server]:
    server = fork_server.Server(unwalled=True)
    yield server
    server.stop()


@pytest.fixture(params=["spawned", "forked"])
def probe(request, monkeypatch, tmp_path: Path) -> Iterator[Submission]:
    """A student's own process (no sandbox), started each way."""
    monkeypatch.delenv(ADDRESS_VARIABLE, raising=False)
    monkeypatch.delenv(POLICY_VARIABLE, raising=False)
    if request.param == "forked":
        launch.use_server(request.getfixturevalue("unwalled"))
    path = tmp_path / "probe.py"
    path.write_text(PROBE, encoding="utf-8")
    submission = Submission(path, timeout=3)
    yield submission
    submission.close()
    launch.use_server(None)


def test_a_students_process_comes_from_the_server_only_when_one_is_used(request, probe) -> None:
    answer = probe.call("preloaded")
    assert answer.error is None, answer.error
    assert answer.value is ("forked" in request.node.callspec.id)
    assert probe.isolation == "none" and probe.layers is None


def test_how_a_process_ended_reads_the_same_either_way(probe) -> None:
    """An exit and an endless loop are reported as they are with a fresh interpreter, and the
    next call gets a fresh process."""
    ended = probe.call("ends", 3)
    assert ended.error is not None and "exit code 3" in ended.error.message, ended.error
    looped = probe.call("loops")
    assert looped.error is not None and looped.error.kind == "timeout", looped.error
    again = probe.call("preloaded")
    assert again.error is None, again.error


def test_a_stopped_server_leaves_no_process_behind(monkeypatch, tmp_path: Path) -> None:
    """Stopping the server ends its handlers and what they forked, even while this process
    still holds its connection and a student's process is running."""
    monkeypatch.delenv(ADDRESS_VARIABLE, raising=False)
    monkeypatch.delenv(POLICY_VARIABLE, raising=False)
    path = tmp_path / "probe.py"
    path.write_text(PROBE, encoding="utf-8")
    server = fork_server.Server(unwalled=True)
    launch.use_server(server)
    submission = Submission(path, timeout=3)
    try:
        assert submission.call("preloaded").value is True
        started = descendants(server._process.pid)
        assert started, "the server forked no handler"
        server.stop()
        deadline = time.monotonic() + 10
        while (alive := {p: command_line(p) for p in started if running(p)}) and (
            time.monotonic() < deadline
        ):
            time.sleep(0.1)
        assert not alive, f"still running after the server stopped: {alive}"
    finally:
        launch.use_server(None)
        submission.close()


def test_a_walled_server_forks_no_unwalled_child(tmp_path: Path) -> None:
    """The batch's server forks only sandboxed children, whoever asks."""
    path = tmp_path / "probe.py"
    path.write_text(PROBE, encoding="utf-8")
    with fork_server.running() as address, pytest.raises(OSError, match="policy is required"):
        launch.ForkedChild(address, str(path), None, cwd=str(tmp_path), env={}, stderr=sys.stderr)


def _ex05_run(tmp_path: Path, *options: str) -> tuple[dict, str]:
    """``pytest exercises/ex05_build_compile`` on the solution whose ``output_activation``
    fails and prints whether its process was forked from the server."""
    folder = tmp_path / "exercises" / "ex05_build_compile"
    folder.mkdir(parents=True)
    source = SOLUTION.read_text(encoding="utf-8") + textwrap.dedent("""
        def output_activation(task):
            import sys
            print("preloaded:", "sklearn.model_selection" in sys.modules)
            return "relu"
    """)
    (folder / SOLUTION.name).write_text(source, encoding="utf-8")
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "exercises",
            "-p",
            "no:cacheprovider",
            "-q",
            f"--score-report={report}",
            *options,
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
        env={**os.environ, "GRADER_LANG": "en"},
    )
    return json.loads(report.read_text()), done.stdout + done.stderr


def test_a_students_keras_run_forks_from_one_server_and_scores_the_same(tmp_path: Path) -> None:
    forked, forked_output = _ex05_run(tmp_path / "forked")
    spawned, spawned_output = _ex05_run(tmp_path / "spawned", "--no-fork-server")
    assert "preloaded: True" in forked_output, forked_output
    assert "preloaded: False" in spawned_output, spawned_output

    def scores(report: dict) -> dict[str, float]:
        return {check["name"]: check["score"] for check in report["tests"]}

    assert scores(forked) == scores(spawned)
    # build_model builds its output layer with output_activation: both fail, the rest pass
    expected = {"output_layer": 0, "loss_for": 2, "build_model": 0, "count_params": 2}
    assert scores(forked) == {**expected, "compile_model": 3}
    assert not list((tmp_path / "forked").glob("grader-fork-server-*"))
