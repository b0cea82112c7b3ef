"""grader hint and grader watch, the student's loop between runs."""

import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from grader.catalog import exercises
from grader.commands import hint as hints
from grader.commands import watch as watching
from grader.words import hints as hint_texts


def test_hints_come_one_at_a_time_and_stop_at_the_last(tmp_path: Path) -> None:
    state = tmp_path / "hints.json"
    texts = hint_texts("ex03_optimizers")
    assert len(texts) >= 3
    shown = [hints.show("ex03_optimizers", state=state) for _ in range(len(texts) + 1)]
    for i, text in enumerate(texts):
        assert text in shown[i] and f"Hint {i + 1} of {len(texts)}" in shown[i]
    assert "last hint" in shown[-2] and texts[-1] in shown[-1]
    everything = hints.show("ex03_optimizers", state=state, all_shown=True)
    assert all(text in everything for text in texts)
    assert texts[0] in hints.show("ex03_optimizers", state=state, reset=True)


def test_every_exercise_has_gentle_to_close_hints() -> None:
    for exercise in exercises():
        texts = hint_texts(exercise.name)
        assert len(texts) >= 3 and len(set(texts)) == len(texts)


def test_an_unknown_exercise_is_named(tmp_path: Path) -> None:
    with pytest.raises(KeyError, match="ex01_activations"):
        hints.show("ex99", state=tmp_path / "h.json")


def test_watch_maps_saved_files_to_their_exercises() -> None:
    changed = watching.exercises_changed(
        [
            "exercises/ex02_losses/losses.py",
            "exercises/ex02_losses/README.md",
            "exercises/ex01_activations/activations.py",
            "notes.txt",
        ]
    )
    assert [e.name for e in changed] == ["ex01_activations", "ex02_losses"]
    assert watching.exercises_changed(["exercises/ex02_losses/losses.py"], "ex01_activations") == []


def test_watch_reruns_the_checks_when_the_file_is_saved(tmp_path: Path, monkeypatch) -> None:
    folder = tmp_path / "exercises" / "ex02_losses"
    folder.mkdir(parents=True)
    (folder / "losses.py").write_text("# stub\n")
    runs: list[str] = []

    def record(root, chosen, extra):
        runs.append(chosen.name)
        if len(runs) == 2:
            raise KeyboardInterrupt

    monkeypatch.setattr(watching, "run_checks", record)

    def save_later() -> None:
        time.sleep(1.0)
        (folder / "losses.py").write_text("# edited\n")

    threading.Thread(target=save_later, daemon=True).start()
    give_up = threading.Event()
    timer = threading.Timer(30, give_up.set)  # a watcher that never wakes fails, not hangs
    timer.daemon = True
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        watching.watch(tmp_path / "exercises", "ex02_losses", stop=give_up)
    give_up.set()
    assert runs == ["ex02_losses", "ex02_losses"]


def _kit_folder(tmp_path: Path, *names: str) -> Path:
    """A folder of exercise folders holding the stubs of ``names``."""
    root = tmp_path / "exercises"
    for name in names:
        chosen = next(e for e in exercises() if e.name == name)
        (root / name).mkdir(parents=True)
        (root / chosen.relative_path).write_text("# stub\n", encoding="utf-8")
    return root


def test_watch_refuses_an_unknown_exercise_and_lists_the_known_ones(tmp_path: Path) -> None:
    _kit_folder(tmp_path, "ex01_activations")
    with pytest.raises(watching.WatchError) as refused:
        watching.watched("ex01_activation", cwd=tmp_path)
    message = str(refused.value)
    assert "ex01_activation;" in message
    assert all(e.name in message for e in exercises())


def test_watch_refuses_through_the_command_with_exit_status_2(tmp_path: Path, capsys) -> None:
    from grader.commands.cli import main

    _kit_folder(tmp_path, "ex01_activations")
    assert main(["watch", "ex99", "--folder", str(tmp_path / "exercises")]) == 2
    error = capsys.readouterr().err
    assert error.startswith("grader watch: there is no exercise named ex99;")
    assert "ex08_save_load" in error


def test_watch_in_an_exercise_folder_watches_that_exercise(tmp_path: Path) -> None:
    root = _kit_folder(tmp_path, "ex01_activations", "ex02_losses")
    assert watching.watched(None, cwd=root / "ex02_losses") == watching.Watched(
        root.resolve(), "ex02_losses"
    )
    # From the kit's folder and from exercises/: every exercise there.
    assert watching.watched(None, cwd=tmp_path) == watching.Watched(root.resolve(), None)
    assert watching.watched(None, cwd=root) == watching.Watched(root.resolve(), None)
    (tmp_path / "elsewhere").mkdir()
    with pytest.raises(watching.WatchError, match="holds no exercise folders"):
        watching.watched(None, cwd=tmp_path / "elsewhere")
    with pytest.raises(watching.WatchError, match="does not exist"):
        watching.watched("ex03_optimizers", cwd=root)


class _Terminal:
    """A stream that says it is a terminal, keeping what was written."""

    def __init__(self, terminal: bool):
        self.terminal = terminal
        self.written: list[str] = []

    def isatty(self) -> bool:
        return self.terminal

    def write(self, text: str) -> int:
        self.written.append(text)
        return len(text)

    def flush(self) -> None:
        pass


@pytest.mark.parametrize("terminal", [True, False], ids=["terminal", "not-a-terminal"])
def test_each_round_clears_the_screen_on_a_terminal_only(
    tmp_path: Path, monkeypatch, terminal: bool
) -> None:
    from rich.console import Console

    root = _kit_folder(tmp_path, "ex02_losses")
    stream = _Terminal(terminal)
    console = Console(file=stream, force_terminal=terminal, width=100)  # type: ignore[arg-type]
    runs: list[str] = []
    monkeypatch.setattr(watching, "run_checks", lambda r, chosen, e: runs.append(chosen.name))
    chosen = [e for e in exercises() if e.name == "ex02_losses"]
    watching.run_round(root, chosen, [], console)
    watching.run_round(root, chosen, [], console)
    text = "".join(stream.written)
    clear = "\x1b[2J\x1b[H"
    assert text.count(clear) == (2 if terminal else 0)
    assert text.count("ex02_losses: checks started at") == 2 and runs == ["ex02_losses"] * 2
    if terminal:  # what a round shows comes after the clear: the newest round only
        assert "ex02_losses: checks started at" in text.rpartition(clear)[2]


def test_hint_takes_lang(tmp_path: Path, monkeypatch, capsys) -> None:
    from grader.commands.cli import main
    from grader.words import say_in

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRADER_LANG", "en")  # restored after the test: --lang sets it
    assert main(["hint", "ex02_losses", "--lang", "ko"]) == 0
    shown = capsys.readouterr().out
    first = say_in(
        "ko", "hint.shown", number=1, total=len(hint_texts("ex02_losses")), exercise="ex02_losses"
    )
    assert shown.startswith(first)


PYTEST = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider")


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_a_pytest_without_the_grader_says_why_nothing_is_checked(lang: str) -> None:
    """A pytest from outside the kit's environment has no grader plugin: exercises/conftest.py
    stops it with the reason, instead of "no tests ran"."""
    from grader.words import say_in

    root = Path(__file__).resolve().parent.parent
    done = subprocess.run(
        [*PYTEST, "-p", "no:grader", "exercises/ex01_activations"],
        cwd=root,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env={**os.environ, "GRADER_LANG": lang, "PYTHONIOENCODING": "utf-8"},
        timeout=120,
    )
    assert done.returncode == pytest.ExitCode.USAGE_ERROR, done.stdout + done.stderr
    said = say_in(lang, "setup.no_grader", python=sys.executable)
    assert said in done.stderr
    assert "collected" not in done.stdout  # it stops before collecting


def test_with_the_grader_the_exercises_conftest_stays_silent(tmp_path: Path) -> None:
    root = Path(__file__).resolve().parent.parent
    report = tmp_path / "r.json"
    done = subprocess.run(
        [*PYTEST, "--collect-only", "-q", f"--score-report={report}", "exercises/ex02_losses"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "losses.py::test_binary_crossentropy" in done.stdout
