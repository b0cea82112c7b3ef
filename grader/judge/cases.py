"""Check cases: inputs with the values tf.keras gave for them, stored in ``golden/<exercise>.npz``.

The inputs are stored beside the expected values, so a check never depends on a random
generator's stream; ``python -m grader.commands.record`` writes the files and the kit's tests
prove that the installed tf.keras still gives the stored values.
"""

import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from grader import PACKAGE_DIR
from grader.words import language, say

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


REFERENCE_SOURCE = "the reference solution"
"""``Case.source`` of a case whose expected values the reference solution computed."""
RECORDED_IN = "en"
"""The language of ``Case.description`` as ``grader.commands.record`` writes it."""
VOCABULARY = (
    (r"a random input like: (?P<case>.+)", "random_like"),
    (r"(?P<case>.+), default slope", "default_slope"),
    (r"(?P<case>.+), (?P<setting>\w+=[^,\s]+)", "with_setting"),
    (r"(?P<ndim>\d+)-d (?P<dtype>\w+) array", "array"),
    (r"(?P<ndim>\d+)-d (?P<dtype>\w+) array of shape (?P<shape>\([\d, ]*\))", "array_of_shape"),
    (r"0-d exact zero", "exact_zero"),
    (r"large negative (?P<dtype>\w+) values", "large_negative"),
    (r"rows of equal large (?P<dtype>\w+) values", "equal_large_rows"),
    (r"rows of equal values, (?P<ndim>\d+)-d (?P<dtype>\w+)", "equal_rows"),
    (r"(?P<dtype>\w+) predictions of exactly 0 and 1", "exact_0_1_dtype"),
    (r"(?P<dtype>\w+) probability 0 for the true class", "true_class_0_dtype"),
    (r"target 0 with prediction exactly 1, and 1 with 0", "crossed_targets"),
    (
        r"(?P<optimizer>\w+\([^()]*\)) on parameters of shapes (?P<shapes>[\d, ()]+), with zero "
        r"gradients \((?P<where>.+)\)",
        "optimizer_zero_gradients",
    ),
    (r"(?P<ndim>\d+)-d (?P<dtype>\w+) shape (?P<shape>\([\d, ]*\))", "array_shape"),
    (r"extreme (?P<dtype>\w+) values", "extreme"),
    (r"large (?P<dtype>\w+) values", "large"),
    (r"rows of large values", "large_rows"),
    (r"(?P<values>\[[-\d., ]*\])", "values"),
    (r"predictions of exactly 0 and 1", "exact_0_1"),
    (r"probability 0 for the true class", "true_class_0"),
    (r"(?P<optimizer>\w+\([^()]*\)) on parameters of shapes (?P<shapes>[\d, ()]+)", "optimizer"),
    (r"(?P<samples>\d+) samples, (?P<features>\d+) features", "samples"),
    (r"saturated outputs \(\|z\| up to about (?P<z>[\d.]+)\)", "saturated"),
    (
        r"(?P<samples>\d+) samples, lr (?P<lr>[\d.e-]+), (?P<epochs>\d+) epochs of batches of "
        r"(?P<batch>\d+)",
        "train",
    ),
)
"""The phrases case descriptions are made of, each a ``case.<key>`` sentence; a ``case``
field is itself a description."""
STEP_WORDS = (
    (r"at every step", "steps_every"),
    (r"at steps (?P<first>\d+) to (?P<last>\d+)", "steps_range"),
    (r"at steps (?P<some>[\d, ]+) and (?P<last>\d+)", "steps_list"),
    (r"at step (?P<one>\d+)", "steps_one"),
)
"""The phrases that say at which steps a gradient is zero (a ``where`` field)."""


def _step_words(text: str) -> str:
    for pattern, key in STEP_WORDS:
        text = re.sub(pattern, lambda found, key=key: say(f"case.{key}", **found.groupdict()), text)
    return text


def describe_case(case: Case) -> str:
    """The case's input in words, in the feedback language.

    The recorded description as it is for English; for another language, its phrases said
    again from ``messages/<lang>.toml``, or, when a phrase is not known, the inputs described
    from the arrays themselves (their dtype and shape) and the case's settings."""
    if language() == RECORDED_IN:
        return case.description
    return phrase_words(case.description) or _from_data(case)


def source_words(source: str) -> str:
    """Where expected values come from, in the feedback language: a library function's name
    as it is, the reference solution in words."""
    return say("words.reference_solution") if source == REFERENCE_SOURCE else source


def phrase_words(description: str) -> str | None:
    """A description built from ``VOCABULARY``, in the feedback language; None if some
    part of it is not in the vocabulary."""
    for pattern, key in VOCABULARY:
        found = re.fullmatch(pattern, description)
        if found is None:
            continue
        fields = found.groupdict()
        if "case" in fields:
            inner = phrase_words(fields["case"])
            if inner is None:
                continue
            fields["case"] = inner
        if "where" in fields:
            fields["where"] = _step_words(fields["where"])
        return say(f"case.{key}", **fields)
    return None


def _from_data(case: Case) -> str:
    """``x = <dtype> array of shape <shape>; axis=0``: the case's own inputs and settings
    (arrays with a dotted name, one step's gradients say, are left out)."""
    words = [
        f"{name} = {say('words.array', dtype=value.dtype, shape=value.shape)}"
        for name, value in case.arrays.items()
        if not name.startswith("expected") and "." not in name
    ]
    words += [f"{name}={value!r}" for name, value in case.kwargs.items()]
    return "; ".join(words)
