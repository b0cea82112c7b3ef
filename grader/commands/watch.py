"""``grader watch [EXERCISE]``: rerun an exercise's checks each time its file is saved."""

import subprocess
import sys
import threading
from collections.abc import Iterable
from pathlib import Path

from grader.catalog import Exercise, exercise_for_file, exercises


def exercises_changed(paths: Iterable[str | Path], only: str | None = None) -> list[Exercise]:
    """The exercises whose student files are among ``paths`` (in course order)."""
    changed = {found.name for p in paths if (found := exercise_for_file(Path(p))) is not None}
    return [e for e in exercises() if e.name in changed and (only is None or e.name == only)]


def run_checks(root: Path, chosen: Exercise, extra: list[str]) -> int:
    folder = root / chosen.name
    return subprocess.call([sys.executable, "-m", "pytest", str(folder), "-q", *extra])


def watch(
    root: Path,
    only: str | None = None,
    extra: list[str] | None = None,
    stop: threading.Event | None = None,
) -> None:
    """Run the checks once, then again for each saved student file, until Ctrl-C (or until
    ``stop`` is set)."""
    from watchfiles import watch as file_changes

    extra = extra or []
    for chosen in [e for e in exercises() if only in (None, e.name)]:
        if (root / chosen.relative_path).exists():
            run_checks(root, chosen, extra)
    print(f"Watching {root} for saved files (Ctrl-C to stop) ...")
    for changes in file_changes(root, stop_event=stop):
        for chosen in exercises_changed((path for _, path in changes), only):
            run_checks(root, chosen, extra)
