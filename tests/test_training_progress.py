"""A check that trains says how far it is: "ex06 train: epoch 5/8", from the epochs the
training processes report, on a line of its own off a terminal and at the end of pytest's line
on one; a NumPy check says nothing of the kind."""

import io
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from kit import SOLUTIONS

from grader.judge.process import Submission
from grader.judge.training_progress import LINE_EVERY, TrainingProgress
from grader.words import say_in
from grader.worker import progress

EPOCH_LINE = re.compile(r"^(ex\d\d \w+): (the grader's own run, )?epoch (\d+)/(\d+)$", re.M)


CHOSEN = ("-k", "test_train or losses")
"""ex06's train check and every check of ex02 (NumPy)."""


def test_a_pipe_gets_a_line_every_few_epochs_for_ex06_and_none_for_numpy(tmp_path: Path) -> None:
    from grader.checks.ex06_train_validate import TrainingRun

    for name in ("ex02_losses", "ex06_train_validate"):
        shutil.copytree(SOLUTIONS / name, tmp_path / "exercises" / name)
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises", "-p", "no:cacheprovider", *CHOSEN],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "GRADER_LANG": "en"},
        timeout=600,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    run = TrainingRun.drawn_for(tmp_path / "exercises" / "ex06_train_validate/train_validate.py")
    shown = EPOCH_LINE.findall(done.stdout)
    every = [str(e) for e in range(LINE_EVERY, run.epochs + 1, LINE_EVERY)]
    students = [("ex06 train", "", e, str(run.epochs)) for e in every]
    assert shown[: len(students)] == students
    # The grader's own run trains meanwhile; what is left of it shows once the student's
    # is done (nothing, if it finished first).
    graders = shown[len(students) :]
    assert all(line[1] == "the grader's own run, " for line in graders), graders
    assert [line[2] for line in graders] == every[len(every) - len(graders) :], graders
    losses = done.stdout.partition("exercises/ex02_losses/losses.py")[2].partition("\n")[0]
    assert losses.partition("[")[0].strip() == "......"  # the NumPy checks' line: marks only
    mentioned = [line for line in done.stdout.splitlines() if "epoch" in line]
    assert all(line.startswith("ex06 train: ") for line in mentioned), mentioned


def _on_a_terminal(command: list[str], cwd: Path, columns: int = 120) -> str:
    """What ``command`` writes to a pseudo-terminal ``columns`` wide."""
    import fcntl
    import pty
    import struct
    import termios

    main, child = pty.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 40, columns, 0, 0))
    env = {**os.environ, "GRADER_LANG": "en"}
    env.pop("COLUMNS", None)
    running = subprocess.Popen(command, stdin=child, stdout=child, stderr=child, cwd=cwd, env=env)
    os.close(child)
    out = b""
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the child side closed
            break
        if not chunk:
            break
        out += chunk
    os.close(main)
    assert running.wait(timeout=600) == 0, out.decode(errors="replace")
    return out.decode("utf-8", "replace")


@pytest.mark.skipif(sys.platform == "win32", reason="a pseudo-terminal is POSIX's")
def test_a_terminal_shows_each_epoch_at_the_end_of_pytest_s_line(tmp_path: Path) -> None:
    from grader.checks.ex06_train_validate import TrainingRun

    shutil.copytree(SOLUTIONS / "ex06_train_validate", tmp_path / "exercises/ex06_train_validate")
    raw = _on_a_terminal(
        [sys.executable, "-m", "pytest", "exercises", "-p", "no:cacheprovider", "-k", "test_train"],
        tmp_path,
    )
    epochs = TrainingRun.drawn_for(
        tmp_path / "exercises/ex06_train_validate/train_validate.py"
    ).epochs
    line = "exercises/ex06_train_validate/train_validate.py "
    shown = raw[raw.index(line) : raw.index("[100%]")]
    for epoch in range(1, epochs + 1):  # every epoch, each rubbed out for the next
        assert f" ex06 train: epoch {epoch}/{epochs}\b" in shown
    # The grader's own run trains meanwhile: its epochs show while the check waits for it.
    graders = re.findall(rf" ex06 train: the grader's own run, epoch (\d+)/{epochs}\b", shown)
    assert graders == sorted(graders, key=int) and len(set(graders)) == len(graders), graders
    last = shown.rfind(f" ex06 train: epoch {epochs}/{epochs}\b")  # the student's run's end
    assert not graders or shown.find("the grader's own run") > last
    assert "\n" not in shown  # all on pytest's line ...
    screen = _screen(shown.replace("\x1b[32m", "").replace("\x1b[0m", ""))
    assert screen.rstrip() == line + "."  # ... and gone when the check ends


class _Writer:
    """pytest's terminal writer, as far as TrainingProgress uses it."""

    def __init__(self, width: int, line: str):
        self.fullwidth = width
        self.width_of_current_line = len(line)
        self.out = io.StringIO(line)
        self.out.seek(len(line))

    def write_raw(self, text: str, *, flush: bool = False) -> None:
        self.out.write(text)


class _Reporter:
    def __init__(self, writer: _Writer, terminal: bool):
        self.writer = writer
        self.terminal = terminal
        self.lines: list[str] = []
        self.config = self

    def isatty(self) -> bool:
        return self.terminal

    def get_terminal_writer(self) -> _Writer:
        return self.writer

    def write_line(self, line: str) -> None:
        self.lines.append(line)


def _screen(raw: str) -> str:
    """What a terminal shows of ``raw``: a backspace moves the cursor back one cell."""
    cells: list[str] = []
    at = 0
    for char in raw:
        if char == "\b":
            at = max(at - 1, 0)
            continue
        if at == len(cells):
            cells.append(char)
        else:
            cells[at] = char
        at += 1
    return "".join(cells).rstrip()


def test_on_a_terminal_each_epoch_replaces_the_last_and_the_end_rubs_it_out() -> None:
    line = "exercises/ex06_train_validate/train_validate.py .."
    writer = _Writer(100, line)
    shown = TrainingProgress(_Reporter(writer, terminal=True), capture=None)
    shown.start("ex06 train")
    shown.student_epoch(1, 12)
    assert _screen(writer.out.getvalue()) == f"{line} ex06 train: epoch 1/12"
    shown.student_epoch(12, 12)
    shown.graders_epoch(3, 12)
    assert _screen(writer.out.getvalue()) == f"{line} ex06 train: the grader's own run, epoch 3/12"
    shown.finish()
    assert _screen(writer.out.getvalue()) == line
    assert writer.width_of_current_line == len(line)  # pytest's count of its line is its own


def test_words_that_would_wrap_the_line_are_not_written() -> None:
    line = "x" * 70
    writer = _Writer(80, line)
    shown = TrainingProgress(_Reporter(writer, terminal=True), capture=None)
    shown.start("ex07 stops_early")
    shown.student_epoch(1, 40)
    shown.finish()
    assert writer.out.getvalue() == line


def test_korean_words_are_rubbed_out_by_their_cells(monkeypatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "ko")
    line = "exercises/ex06_train_validate/train_validate.py ."
    writer = _Writer(120, line)
    shown = TrainingProgress(_Reporter(writer, terminal=True), capture=None)
    shown.start("ex06 train")
    shown.graders_epoch(2, 9)
    words = say_in("ko", "progress.graders_epoch", check="ex06 train", epoch=2, epochs=9)
    assert _screen(writer.out.getvalue()) == f"{line} {words}"
    shown.finish()
    # A Hangul syllable takes two cells of the terminal: two backspaces, two spaces.
    cells = 1 + len(words) + sum("\uac00" <= c <= "\ud7a3" for c in words)
    assert writer.out.getvalue() == f"{line} {words}" + "\b" * cells + " " * cells + "\b" * cells


def test_off_a_terminal_a_line_every_few_epochs() -> None:
    reporter = _Reporter(_Writer(100, ""), terminal=False)
    shown = TrainingProgress(reporter, capture=None)
    shown.start("ex07 stops_early")
    for epoch in range(1, 13):
        shown.student_epoch(epoch, 40)
    shown.finish()
    assert reporter.lines == ["ex07 stops_early: epoch 5/40", "ex07 stops_early: epoch 10/40"]
    assert reporter.writer.out.getvalue() == ""
    shown.student_epoch(15, 40)  # between checks: no check to name, nothing shown
    assert len(reporter.lines) == 2


@pytest.mark.parametrize(
    "event",
    [
        {"epoch": 3, "epochs": 10},
        {"epoch": "3", "epochs": 10},
        {"epoch": True, "epochs": 10},
        {"epoch": 0, "epochs": 10},
        {"epoch": 11, "epochs": 10},
        {"epoch": 1, "epochs": 10**9},
        ["epoch", 3],
    ],
)
def test_only_well_formed_epoch_events_are_shown(event: Any) -> None:
    seen: list[tuple[int, int]] = []
    submission = Submission(None)
    submission.on_epoch = lambda epoch, epochs: seen.append((epoch, epochs))
    submission._show_epoch(event)
    assert seen == ([(3, 10)] if event == {"epoch": 3, "epochs": 10} else [])


class _Model:
    def __init__(self) -> None:
        self.given: list[Any] = []

    def fit(self, *args: Any, **kwargs: Any) -> str:
        self.given.append((args, kwargs.get("callbacks")))
        return "history"


def test_the_grader_s_models_add_the_epoch_report_and_keep_the_student_s_callbacks(
    monkeypatch,
) -> None:
    report = object()
    monkeypatch.setattr(progress, "epoch_report", lambda: report)
    model = progress.reporting(_Model())
    mine = object()
    assert model.fit("x", "y", epochs=3) == "history"
    model.fit("x", "y", callbacks=[mine])
    model.fit("x", "y", callbacks=(mine,))
    model.fit("x", "y", 32, 3, 0, [mine])  # callbacks by position: untouched
    model.fit("x", "y", callbacks=mine)  # not a list: Keras says what is wrong, not the grader
    given = [callbacks for _, callbacks in model.given]
    assert given == [[report], [mine, report], [mine, report], None, mine]
