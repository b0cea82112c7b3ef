"""``grader watch [EXERCISE]``: rerun an exercise's checks each time its file is saved.

It runs from the kit's folder (which holds ``exercises/``), from ``exercises/`` itself, or from
inside one exercise's folder, which it then watches alone (``watched``). On a terminal the
screen is cleared before each run, so only the newest result is on it; elsewhere (an editor's
output pane, a log) each run starts with its header line instead.
"""

import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from rich.console import Console

from grader.catalog import Exercise, exercise_for_file, exercises
from grader.words import say

DEFAULT_FOLDER = Path("exercises")


class WatchError(ValueError):
    """What cannot be watched, said in the feedback language."""


@dataclass(frozen=True)
class Watched:
    """What one ``grader watch`` watches."""

    root: Path
    """The folder of exercise folders (``exercises/``)."""
    only: str | None
    """The one exercise watched; None: every exercise whose file is there."""


def watched(name: str | None, folder: Path | None = None, cwd: Path | None = None) -> Watched:
    """What to watch, from the exercise named (if any), ``--folder`` (if given) and the
    working folder ``cwd``: inside an exercise's folder, that exercise; else ``--folder``,
    else ``exercises/`` beneath ``cwd``, else ``cwd`` itself when it holds exercise folders.
    ``WatchError`` for an exercise the kit does not have, or no folder of exercises."""
    names = [e.name for e in exercises()]
    if name is not None and name not in names:
        raise WatchError(say("watch.unknown_exercise", name=name, known=", ".join(names)))
    cwd = (cwd or Path.cwd()).resolve()
    if folder is None and cwd.name in names:
        root, name = cwd.parent, name or cwd.name
    elif folder is not None:
        root = folder
    elif (cwd / DEFAULT_FOLDER).is_dir():
        root = cwd / DEFAULT_FOLDER
    elif any((cwd / n).is_dir() for n in names):
        root = cwd
    else:
        raise WatchError(say("watch.no_folder", folder=cwd))
    if not root.is_dir():
        raise WatchError(say("watch.not_a_folder", folder=root))
    if name is not None:
        chosen = next(e for e in exercises() if e.name == name)
        if not (root / chosen.relative_path).is_file():
            raise WatchError(say("watch.no_file", file=root / chosen.relative_path))
    return Watched(root, name)


def exercises_changed(paths: Iterable[str | Path], only: str | None = None) -> list[Exercise]:
    """The exercises whose student files are among ``paths`` (in course order)."""
    changed = {found.name for p in paths if (found := exercise_for_file(Path(p))) is not None}
    return [e for e in exercises() if e.name in changed and (only is None or e.name == only)]


def run_checks(root: Path, chosen: Exercise, extra: list[str]) -> int:
    folder = root / chosen.name
    return subprocess.call([sys.executable, "-m", "pytest", str(folder), "-q", *extra])


def fresh_screen(console: Console) -> None:
    """Clear the screen and put the cursor home, on a terminal only: a log or an editor's
    output pane keeps every run, each after its header."""
    if console.is_terminal:
        console.clear()


def run_round(root: Path, chosen: list[Exercise], extra: list[str], console: Console) -> None:
    """One round: a clear screen, then each exercise's header and checks."""
    fresh_screen(console)
    for one in chosen:
        console.print(
            say("watch.checking", exercise=one.name, time=time.strftime("%H:%M:%S")),
            style="bold",
            highlight=False,
        )
        run_checks(root, one, extra)
    console.print(say("watch.waiting", folder=root), highlight=False)


def watch(
    root: Path,
    only: str | None = None,
    extra: list[str] | None = None,
    stop: threading.Event | None = None,
    console: Console | None = None,
) -> None:
    """Run the checks once, then again for each saved student file, until Ctrl-C (or until
    ``stop`` is set). Saves that come while checks run are taken together, in one round."""
    from watchfiles import watch as file_changes

    extra = extra or []
    console = console or Console(highlight=False)
    present = [
        e for e in exercises() if only in (None, e.name) and (root / e.relative_path).exists()
    ]
    run_round(root, present, extra, console)
    for changes in file_changes(root, stop_event=stop):
        chosen = exercises_changed((path for _, path in changes), only)
        if chosen:
            run_round(root, chosen, extra, console)
