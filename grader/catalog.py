"""The exercises of the kit, read from ``exercises.toml``: who knows a name finds everything."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from grader import GRADER_ROOT, PACKAGE_DIR
from grader.words import languages, say_in

CATALOG_PATH = PACKAGE_DIR / "exercises.toml"
KIT_SOLUTIONS = GRADER_ROOT / "solutions"
"""The reference solutions, in a checkout of the kit (a student's copy has none)."""
SEED = 20261128
"""Seed of every generator the kit draws from: recorded inputs, random cases, training runs."""
KIT_MAX_SCORE = 100
"""What all exercises together are worth once the whole course is in the kit."""
RUN_DIRECTLY = 'if __name__ == "__main__":'
"""How the block each stub and solution ends with begins (``run_directly_block``)."""


@dataclass(frozen=True)
class Exercise:
    """One exercise: a folder of student code, its checks and their points."""

    name: str
    """Folder name under ``exercises/`` and ``solutions/``, e.g. ``"ex01_activations"``."""
    module: str
    """The student's module in that folder, without ``.py``."""
    title: str
    """Short human title."""
    points: dict[str, int]
    """Points of each check, by check name (``test_<check>`` in ``grader/checks/<name>.py``)."""
    timeout: float = 10.0
    """Seconds one call into the student's code may take before it is stopped."""
    defines: tuple[str, ...] = ()
    """The functions and classes the stub defines, in its order: how a notebook's code is
    matched to the exercise."""
    keras: bool = False
    """Whether its processes import TensorFlow (the student's module, the grader's own runs):
    a run that checks one starts a fork server that imports it once."""

    @property
    def filename(self) -> str:
        return f"{self.module}.py"

    @property
    def relative_path(self) -> str:
        """Where the student's file sits in a submission: ``ex01_activations/activations.py``."""
        return f"{self.name}/{self.filename}"

    @property
    def max_score(self) -> int:
        return sum(self.points.values())

    @property
    def check_module(self) -> str:
        return f"grader.checks.{self.name}"


@cache
def exercises() -> tuple[Exercise, ...]:
    """All exercises, in course order."""
    with CATALOG_PATH.open("rb") as f:
        table = tomllib.load(f)
    return tuple(
        Exercise(
            name=name,
            module=entry["module"],
            title=entry["title"],
            points=dict(entry["points"]),
            timeout=float(entry.get("timeout", 10.0)),
            defines=tuple(entry.get("defines", ())),
            keras=bool(entry.get("keras", False)),
        )
        for name, entry in table.items()
    )


def exercise(name: str) -> Exercise:
    for candidate in exercises():
        if candidate.name == name:
            return candidate
    known = ", ".join(e.name for e in exercises())
    raise KeyError(f"no exercise named {name!r}; the exercises are {known}")


def exercise_for_file(path: Path) -> Exercise | None:
    """The exercise whose student file ``path`` is (``<name>/<module>.py``), if any."""
    for candidate in exercises():
        if path.name == candidate.filename and path.parent.name == candidate.name:
            return candidate
    return None


def run_directly_block(exercise: Exercise) -> str:
    """The block each stub and solution ends with: a student who runs the module itself
    (``python activations.py``) is told, in each language of the kit, how its checks run. Plain
    prints, so that it works where the kit is not installed; notebooks leave it out."""
    lines = [RUN_DIRECTLY]
    for lang in languages():
        text = say_in(lang, "stub.run_directly")
        assert '"' not in text and "\\" not in text, text
        lines.append(f'    print("{text}")')
    lines.append(f'    print("    pytest exercises/{exercise.name}")')
    return "\n".join(lines) + "\n"
