"""Instructor-side cases: fresh random inputs, with the reference solution's outputs.

A student's copy has no ``solutions/``, so the checks a student runs compare with values
recorded from tf.keras only. Where a reference folder is given (``grader grade`` uses the
kit's ``solutions/`` when it is there), each check also runs one random case per recorded
case, drawn by the check module's ``reference_case(case, rng, reference)`` and answered by
the reference solution. The draws are seeded, so grading twice gives the same cases.
Hidden checks (``grader.judge.hidden``) draw inputs of their own with ``check_rng`` and have
them answered by ``answered_case``.
"""

import importlib
import importlib.util
import zlib
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np

from grader.catalog import SEED, Exercise
from grader.judge.cases import REFERENCE_SOURCE, Case, cases_for

SOURCE = REFERENCE_SOURCE


@cache
def load_reference(path: Path) -> ModuleType:
    """The reference module at ``path`` (trusted code, imported in the judging process)."""
    spec = importlib.util.spec_from_file_location(f"reference_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the reference solution {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_solution(exercise: Exercise, reference_dir: Path | None) -> ModuleType:
    """The reference solution of ``exercise`` in ``reference_dir``; an error that says how to
    give one when there is none (a check that compares with it cannot run without it)."""
    if reference_dir is None:
        raise LookupError(
            f"{exercise.name}: this check compares with the reference solution, and none was "
            "given: grade with --reference DIR (grader grade uses the kit's solutions/ when "
            "it is there)"
        )
    return load_reference((reference_dir / exercise.relative_path).resolve())


def check_rng(exercise: Exercise, check: str) -> np.random.Generator:
    """The generator of a check's random inputs, seeded with ``SEED`` and the check's name:
    grading twice draws the same inputs."""
    return np.random.default_rng([SEED, zlib.crc32(f"{exercise.name}/{check}".encode())])


def reference_cases(exercise: Exercise, check: str, reference_dir: Path) -> list[Case]:
    """One random case per recorded case of ``check``, answered by the reference solution."""
    checks = importlib.import_module(exercise.check_module)
    reference = reference_solution(exercise, reference_dir)
    rng = check_rng(exercise, check)
    return [checks.reference_case(case, rng, reference) for case in cases_for(exercise.name, check)]


def answered_case(
    reference: ModuleType,
    check: str,
    function: str,
    description: str,
    inputs: dict[str, np.ndarray],
    **kwargs: Any,
) -> Case:
    """A new case for ``check``: ``function(*inputs.values(), **kwargs)`` with the reference
    solution's answer as ``expected``, in the floating-point dtype of the inputs (so that the
    dtype's tolerance applies). For checks with inputs of their own, such as hidden checks."""
    answer = np.asarray(
        getattr(reference, function)(*(a.copy() for a in inputs.values()), **kwargs)
    )
    dtype = np.result_type(*(a.dtype for a in inputs.values() if a.dtype.kind == "f"))
    return Case(
        id=f"{check}/{description}",
        check=check,
        function=function,
        description=description,
        kwargs=kwargs,
        arrays={**inputs, "expected": answer.astype(dtype)},
        source=SOURCE,
    )


def random_twin(case: Case, arrays: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> Case:
    """``case`` with new inputs and the reference's outputs, named as a random case."""
    return Case(
        id=f"{case.id} (random)",
        check=case.check,
        function=case.function,
        description=f"a random input like: {case.description}",
        kwargs=case.kwargs,
        arrays={**arrays, **expected},
        source=SOURCE,
        why=case.why,
    )
