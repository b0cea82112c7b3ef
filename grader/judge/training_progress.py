"""How far a check's training run is, on pytest's terminal: "ex06 train: epoch 3/10".

The epochs are the ones the processes that train report (``grader.worker.progress``): the
student's process for the student's ``fit`` of the grader's model, the inspector for the
grader's own run. On a terminal the words stand at the end of the line pytest is writing
(after the file's marks, or the check's name with ``-v``), each epoch replacing the last,
and are rubbed out with backspaces when the check ends, so pytest's line goes on as before.
Elsewhere (a log, CI, a pipe) a line of its own every ``LINE_EVERY`` epochs, and nothing in
between. pytest's capture is suspended while they are written, as its live logging does.
"""

import contextlib
from typing import Any

from rich.cells import cell_len

from grader.words import say

LINE_EVERY = 5
"""Off a terminal, one line per this many epochs."""


class TrainingProgress:
    """The epochs of the check that is running, shown on pytest's terminal."""

    def __init__(self, reporter: Any, capture: Any):
        """``reporter``: pytest's terminal reporter; ``capture``: its capture manager (or
        None, with ``-p no:capture``)."""
        self.reporter = reporter
        self.capture = capture
        self.terminal = bool(reporter.isatty())
        self.check = ""
        """The check running, as the words name it: ``ex06 train``."""
        self._shown = 0
        """Terminal cells the words on the line take (0: nothing shown)."""

    def start(self, check: str) -> None:
        self.check = check

    def student_epoch(self, epoch: int, epochs: int) -> None:
        self._show(say("progress.epoch", check=self.check, epoch=epoch, epochs=epochs), epoch)

    def graders_epoch(self, epoch: int, epochs: int) -> None:
        words = say("progress.graders_epoch", check=self.check, epoch=epoch, epochs=epochs)
        self._show(words, epoch)

    def finish(self) -> None:
        """Rub the words out: the line is pytest's again."""
        if self._shown:
            self._write(self._erased())
        self._shown = 0
        self.check = ""

    def _show(self, words: str, epoch: int) -> None:
        if not self.check:
            return
        if not self.terminal:
            if epoch % LINE_EVERY == 0:
                with self._uncaptured():
                    self.reporter.write_line(words)
            return
        text = " " + words
        writer = self.reporter.config.get_terminal_writer()
        with self._uncaptured():  # the terminal's width is read on the terminal, not a capture
            if cell_len(text) > writer.fullwidth - writer.width_of_current_line - 2:
                return  # never wrap: backspaces cannot climb back a line
            writer.write_raw(self._erased() + text, flush=True)
        self._shown = cell_len(text)

    def _erased(self) -> str:
        return "\b" * self._shown + " " * self._shown + "\b" * self._shown

    def _write(self, text: str) -> None:
        """Straight to the terminal, past pytest's count of the line's width."""
        with self._uncaptured():
            self.reporter.config.get_terminal_writer().write_raw(text, flush=True)

    def _uncaptured(self) -> contextlib.AbstractContextManager[None]:
        if self.capture is None:
            return contextlib.nullcontext()
        return self.capture.global_and_fixture_disabled()
