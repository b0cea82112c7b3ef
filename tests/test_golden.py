"""The values the student-side checks compare with are what the installed tf.keras computes.

The checks read recorded values so that a student's run never imports TensorFlow; this test
re-runs every recorder against tf.keras and compares with the stored file, case by case.
"""

import numpy as np
import pytest

from grader import PACKAGE_DIR
from grader.checks.ex03_optimizers import _trajectory, trajectory_arrays
from grader.commands import record as recording
from grader.judge.cases import golden_cases


@pytest.mark.parametrize("exercise", sorted(recording.RECORDERS))
def test_recorded_values_match_installed_keras(exercise: str) -> None:
    fresh = {case.id: case for case in recording.RECORDERS[exercise]()}
    stored = {case.id: case for case in golden_cases(exercise)}
    assert fresh.keys() == stored.keys(), (
        "cases were added or removed: run python -m grader.commands.record"
    )
    for case_id, case in stored.items():
        again = fresh[case_id]
        assert (case.check, case.function, case.kwargs, case.why) == (
            again.check,
            again.function,
            again.kwargs,
            again.why,
        ), case_id
        assert case.arrays.keys() == again.arrays.keys(), case_id
        for name, value in case.arrays.items():
            assert value.dtype == again.arrays[name].dtype, f"{case_id}: {name}"
            tolerance = 1e-6 if value.dtype == np.float32 else 1e-12
            np.testing.assert_allclose(
                value,
                again.arrays[name],
                rtol=tolerance,
                atol=tolerance,
                err_msg=f"{exercise} {case_id}: {name} differs from the installed tf.keras",
            )


def test_every_case_list_a_check_asks_for_is_recorded() -> None:
    import re

    from grader.catalog import exercises

    for exercise in exercises():
        source = (PACKAGE_DIR / "checks" / f"{exercise.name}.py").read_text()
        asked = set(re.findall(r'cases(?:_for)?\((?:EXERCISE, )?"([a-z0-9_]+)"\)', source))
        recorded = {case.check for case in golden_cases(exercise.name)} if asked else set()
        assert asked <= recorded, f"{exercise.name}: no recorded cases for {asked - recorded}"
        assert asked <= set(exercise.points), f"{exercise.name}: cases for unknown checks"


def test_the_optimizer_trajectory_has_one_encoder_and_its_decoder_inverts_it() -> None:
    """ex03's cases hold a run as ``params.i``, ``grads.t.i`` and ``expected.t.i``: encoding
    what the decoder reads from each recorded case gives back exactly its arrays."""
    runs = [c for c in golden_cases("ex03_optimizers") if "expected.0.0" in c.arrays]
    assert runs
    for case in runs:
        starts, grads, expected = _trajectory(case)
        inputs, outputs = trajectory_arrays(starts[0], grads, expected)
        encoded = {**inputs, **outputs}
        held = {k for k in case.arrays if k.split(".")[0] in ("params", "grads", "expected")}
        assert set(encoded) == held, case.id
        assert all(np.array_equal(encoded[k], case.arrays[k]) for k in encoded), case.id
