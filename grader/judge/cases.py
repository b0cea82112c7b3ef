"""Check cases: inputs with the values tf.keras gave for them, stored in ``golden/<exercise>.npz``.

The inputs are stored beside the expected values, so a check never depends on a random
generator's stream; ``python -m grader.commands.record`` writes the files and the kit's tests
prove that the installed tf.keras still gives the stored values.
"""

import json
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from grader import PACKAGE_DIR

GOLDEN_DIR = PACKAGE_DIR / "golden"
_INDEX = "__index__"
_SEPARATOR = "|"


@dataclass(frozen=True)
class Case:
    """One input for one check, and what tf.keras returned for it."""

    id: str
    """Unique within its exercise, e.g. ``"softmax/2-d float32"``."""
    check: str
    """The check that uses it (a key of the exercise's points table)."""
    function: str
    """The student's function or class that is called."""
    description: str
    """The input in words, for feedback: ``"2-d float32 array"``."""
    kwargs: dict[str, Any] = field(default_factory=dict)
    """Scalar keyword arguments for the call (JSON values)."""
    arrays: dict[str, np.ndarray] = field(default_factory=dict)
    """Named input arrays and expected outputs (``"expected"`` by convention)."""
    source: str = ""
    """Where the expected values come from when not tf.keras (a random case's reference)."""
    why: str = ""
    """For an edge case, the mistake it is there to reveal (for the kit's maintainers; stored
    in the index beside the description, never shown to students)."""

    def __getitem__(self, name: str) -> np.ndarray:
        return self.arrays[name]


def golden_path(exercise: str) -> Path:
    return GOLDEN_DIR / f"{exercise}.npz"


def save_cases(path: Path, cases: list[Case]) -> None:
    """Write cases to an ``.npz`` file that loads without pickle."""
    index = [
        {
            "id": c.id,
            "check": c.check,
            "function": c.function,
            "description": c.description,
            "kwargs": c.kwargs,
            "arrays": sorted(c.arrays),
            **({"why": c.why} if c.why else {}),
        }
        for c in cases
    ]
    ids = [c.id for c in cases]
    if len(set(ids)) != len(ids):
        raise ValueError(f"case ids repeat in {path.name}")
    arrays = {f"{c.id}{_SEPARATOR}{name}": value for c in cases for name, value in c.arrays.items()}
    np.savez_compressed(path, **{_INDEX: np.array(json.dumps(index))}, **arrays)


def load_cases(path: Path) -> list[Case]:
    with np.load(path, allow_pickle=False) as data:
        index = json.loads(str(data[_INDEX]))
        return [
            Case(
                id=entry["id"],
                check=entry["check"],
                function=entry["function"],
                description=entry["description"],
                kwargs=entry["kwargs"],
                arrays={name: data[f"{entry['id']}{_SEPARATOR}{name}"] for name in entry["arrays"]},
                why=entry.get("why", ""),
            )
            for entry in index
        ]


@cache
def golden_cases(exercise: str) -> tuple[Case, ...]:
    """The stored cases of an exercise, in recording order."""
    return tuple(load_cases(golden_path(exercise)))


def cases_for(exercise: str, check: str) -> list[Case]:
    """The stored cases one check uses; a check with none is a defect of the kit."""
    found = [c for c in golden_cases(exercise) if c.check == check]
    if not found:
        raise LookupError(f"no recorded cases for check {check!r} in {golden_path(exercise)}")
    return found
