"""The grader's own runs (grader.judge.grader_runs): started beside the student's run, and
within a batch read back from the folder its judges share, only when a judge of that batch
signed them."""

import sys
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.judge import grader_runs
from grader.judge.process import Answer, StudentError, Submission

ARGS = (np.arange(6, dtype=np.float32).reshape(2, 3), "Adam", 0.001)


class Inspector:
    """Stands in for a grader-only process: records its requests, answers once ``go`` is
    set, and reports the epochs it was told of (as ``Submission`` does)."""

    def __init__(self, value: Any = None, error: StudentError | None = None):
        self.asked: list[tuple[str, tuple[Any, ...]]] = []
        self.calls: list[dict[str, Any]] = []
        self.go = threading.Event()
        self.go.set()
        self.value = value if value is not None else {"weights": [np.ones((2, 2)) * 0.5]}
        self.error = error
        self.background_epoch: tuple[int, int] | None = None
        self.shown: list[tuple[int, int]] = []
        self.on_epoch = lambda epoch, epochs: self.shown.append((epoch, epochs))

    def request(self, name: str, args: Any = (), kwargs: Any = None, **options: Any) -> Answer:
        self.asked.append((name, tuple(args)))
        self.calls.append({"name": name, "args": list(args), "kwargs": kwargs, **options})
        self.go.wait(10)
        return Answer(error=self.error) if self.error else Answer(value=self.value)


@pytest.fixture
def batch_folder(monkeypatch: pytest.MonkeyPatch) -> Path:
    """The variables a batch hands its judges (a new private folder and key) set here."""
    with grader_runs.kept_for_batch() as shared:
        for name, value in shared.items():
            monkeypatch.setenv(name, value)
        yield Path(shared[grader_runs.RUNS_VARIABLE])


def test_a_run_starts_at_once_and_answers_when_the_inspector_has():
    inspector = Inspector()
    inspector.go.clear()
    run = grader_runs.started(inspector, "compiled_step", ARGS)
    assert not run._future.done(), "started() waited for the run"
    inspector.go.set()
    assert run.answer().value["weights"][0][0, 0] == 0.5
    assert inspector.asked == [("compiled_step", ARGS)]


def test_outside_a_batch_every_run_is_run(monkeypatch: pytest.MonkeyPatch):
    monkeypatch.delenv(grader_runs.RUNS_VARIABLE, raising=False)
    inspector = Inspector()
    for _ in range(2):
        grader_runs.started(inspector, "compiled_step", ARGS).answer()
    assert len(inspector.asked) == 2


def test_a_batchs_second_judge_reads_the_run_back(batch_folder: Path):
    first, second = Inspector(), Inspector(value={"weights": [np.zeros((2, 2))]})
    kept = grader_runs.started(first, "compiled_step", ARGS).answer().value
    again = grader_runs.started(second, "compiled_step", ARGS).answer()
    assert second.asked == [], "the second judge ran the kept run again"
    np.testing.assert_array_equal(again.value["weights"][0], kept["weights"][0])
    assert len(list(batch_folder.iterdir())) == 1


def test_another_request_is_another_run(batch_folder: Path):
    inspector = Inspector()
    grader_runs.started(inspector, "compiled_step", ARGS).answer()
    changed = (ARGS[0] + 1, *ARGS[1:])
    grader_runs.started(inspector, "compiled_step", changed).answer()
    grader_runs.started(inspector, "compiled_step", ARGS, {"seed_value": 1}).answer()
    assert len(inspector.asked) == 3


@pytest.mark.parametrize("tampering", ["flipped byte", "other key", "truncated", "empty"])
def test_a_kept_run_not_signed_by_this_batch_is_run_again(batch_folder: Path, tampering: str):
    grader_runs.started(Inspector(), "compiled_step", ARGS).answer()
    (kept,) = batch_folder.iterdir()
    data = bytearray(kept.read_bytes())
    if tampering == "flipped byte":
        data[-1] ^= 1
    elif tampering == "other key":
        import hashlib
        import hmac

        payload = bytes(data[hashlib.sha256().digest_size :])
        data = bytearray(hmac.digest(b"a student's key", payload, "sha256") + payload)
    elif tampering == "truncated":
        data = data[: len(data) // 2]
    else:
        data = bytearray()
    kept.write_bytes(bytes(data))
    honest = Inspector(value={"weights": [np.full((2, 2), 7.0)]})
    answer = grader_runs.started(honest, "compiled_step", ARGS).answer()
    assert honest.asked, f"a run with a {tampering} was believed"
    assert answer.value["weights"][0][0, 0] == 7.0


def test_a_failed_run_is_not_kept(batch_folder: Path):
    failing = Inspector(error=StudentError("timeout", message="no answer within 600 s"))
    answer = grader_runs.started(failing, "compiled_step", ARGS).answer()
    assert answer.error is not None
    assert list(batch_folder.iterdir()) == []


def test_an_inspector_that_raises_hands_the_error_to_the_waiting_check():
    class Broken(Inspector):
        def request(self, *args: Any, **kwargs: Any) -> Answer:
            raise OSError("the fork server refused")

    with pytest.raises(OSError, match="refused"):
        grader_runs.started(Broken(), "compiled_step", ARGS).answer()


def test_the_batchs_folder_is_private_and_goes_with_the_batch():
    with grader_runs.kept_for_batch() as shared:
        folder = Path(shared[grader_runs.RUNS_VARIABLE])
        assert folder.stat().st_mode & 0o777 == 0o700
        assert len(bytes.fromhex(shared[grader_runs.KEY_VARIABLE])) == 32
    assert not folder.exists()


def test_the_request_is_the_factory_with_all_it_was_given():
    inspector = Inspector()
    grader_runs.started(
        inspector, "fitted_digits_classifier", ARGS, {"epochs": 8}, convert="model"
    ).answer()
    (call,) = inspector.calls
    assert call["name"] == "fitted_digits_classifier" and call["op"] == "make"
    assert call["kwargs"] == {"epochs": 8} and call["convert"] == "model"


def test_a_run_not_kept_is_never_read_back_nor_written(batch_folder: Path):
    inspector = Inspector()
    for _ in range(2):
        grader_runs.started(inspector, "compiled_step", ARGS, kept=False).answer()
    assert len(inspector.asked) == 2
    assert list(batch_folder.iterdir()) == []


def test_the_epochs_of_a_run_are_shown_while_a_check_waits_for_it():
    inspector = Inspector()
    inspector.go.clear()
    run = grader_runs.started(inspector, "callback_training_run", ARGS)

    def trains() -> None:
        for epoch in (1, 2, 3):
            inspector.background_epoch = (epoch, 3)
            time.sleep(6 * grader_runs.PROGRESS_EVERY)
        inspector.go.set()

    threading.Thread(target=trains).start()
    run.answer()
    assert inspector.shown == [(1, 3), (2, 3), (3, 3)]


def test_a_closed_process_answers_a_late_run_with_an_error_and_starts_nothing(tmp_path: Path):
    submission = Submission(None)
    submission.close()
    answer = submission.request("compiled_step", ARGS, op="make")
    assert answer.error is not None and answer.error.type == "closed"
    assert submission._process is None, "a process was started after close()"


def test_a_batchs_judge_gets_the_folder_and_the_key(tmp_path: Path):
    from grader.commands.judge_run import run_judge

    show = "import os; print(os.environ['GRADER_RUNS'], os.environ['GRADER_RUNS_KEY'])"
    with grader_runs.kept_for_batch() as shared:
        done = run_judge([sys.executable, "-c", show], tmp_path, 60, shared=shared)
        assert done.output.split() == [
            shared[grader_runs.RUNS_VARIABLE],
            shared[grader_runs.KEY_VARIABLE],
        ]
