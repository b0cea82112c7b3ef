"""grader hint and grader watch, the student's loop between runs."""

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
