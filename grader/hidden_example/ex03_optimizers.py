"""Hidden checks of ex03_optimizers: longer runs, other hyper-parameters and parameters of
other shapes (a 0-d bias among them), drawn at random (seeded) and answered by the reference
optimizers. Each case is laid out as the visible checks' cases are and judged by their
``run_case``: every step compared, and the known wrong update rules named."""

from types import ModuleType

import numpy as np

from grader.checks.ex03_optimizers import run_case
from grader.judge.cases import Case
from grader.judge.reference import SOURCE, check_rng, reference_solution
from grader.judge.student import Student, call_text

STEPS = 40
SHAPES = [(), (1,), (3, 4), (2, 1, 3)]
"""A 0-d bias (as ex04_neuron passes one), a 1-element vector, a matrix and a 3-d tensor."""
OPTIMIZERS = [
    ("SGD", {"learning_rate": 0.03, "momentum": 0.7}),
    ("SGD", {"learning_rate": 0.03, "momentum": 0.7, "nesterov": True}),
    ("Adagrad", {"learning_rate": 0.2, "initial_accumulator_value": 0.05}),
    ("RMSprop", {"learning_rate": 0.02, "rho": 0.5}),
    ("Adam", {"learning_rate": 0.02, "beta_1": 0.5, "beta_2": 0.9}),
]


def _case(
    reference: ModuleType, optimizer: str, kwargs: dict, rng: np.random.Generator, check: str
) -> Case:
    """Random starting parameters and gradients (|g| in [0.2, 2]); the reference optimizer's
    parameters after each step, as ``params.<i>``, ``grads.<t>.<i>``, ``expected.<t>.<i>``."""
    params = [np.asarray(rng.standard_normal(size=shape)) for shape in SHAPES]
    arrays = {f"params.{i}": w for i, w in enumerate(params)}
    stepper = getattr(reference, optimizer)(**kwargs)
    current = params
    for t in range(STEPS):
        grads = [
            np.asarray(rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape))
            for shape in SHAPES
        ]
        current = [np.array(w) for w in stepper.step([w.copy() for w in current], grads)]
        for i, (g, w) in enumerate(zip(grads, current, strict=True)):
            arrays[f"grads.{t}.{i}"] = g
            arrays[f"expected.{t}.{i}"] = w
    shapes = ", ".join(str(shape) for shape in SHAPES)
    description = (
        f"{call_text(optimizer, [], kwargs)} on parameters of shapes {shapes}, {STEPS} steps"
    )
    return Case(
        id=f"{check}/{description}",
        check=check,
        function=optimizer,
        description=description,
        kwargs=kwargs,
        arrays=arrays,
        source=SOURCE,
    )


def test_optimizers_more_steps(student: Student) -> None:
    """40 steps of each optimizer with hyper-parameters the visible checks do not use."""
    reference = reference_solution(student.exercise, student.reference_dir)
    rng = check_rng(student.exercise, "optimizers_more_steps")
    for optimizer, kwargs in OPTIMIZERS:
        run_case(student, _case(reference, optimizer, kwargs, rng, "optimizers_more_steps"))
