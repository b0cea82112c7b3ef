"""Instructor-side cases: fresh random inputs, with the reference solution's outputs.

A student's copy has no ``solutions/``, so the checks a student runs compare with values
recorded from tf.keras only. Where a reference folder is given (``grader grade`` uses the
kit's ``solutions/`` when it is there), each check also runs one random case per recorded
case, drawn by the check module's ``reference_case(case, rng, reference)`` and answered by
the reference solution. The draws are seeded, so grading twice gives the same cases.
"""

import importlib
import importlib.util
import zlib
from functools import cache
from pathlib import Path
from types import ModuleType

import numpy as np

from grader.cases import SEED, Case, cases_for
from grader.catalog import Exercise

SOURCE = "the reference solution"


@cache
def load_reference(path: Path) -> ModuleType:
    """The reference module at ``path`` (trusted code, imported in the judging process)."""
    spec = importlib.util.spec_from_file_location(f"reference_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot load the reference solution {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def reference_cases(exercise: Exercise, check: str, reference_dir: Path) -> list[Case]:
    """One random case per recorded case of ``check``, answered by the reference solution."""
    checks = importlib.import_module(exercise.check_module)
    reference = load_reference((reference_dir / exercise.relative_path).resolve())
    rng = np.random.default_rng([SEED, zlib.crc32(f"{exercise.name}/{check}".encode())])
    return [checks.reference_case(case, rng, reference) for case in cases_for(exercise.name, check)]


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
    )
