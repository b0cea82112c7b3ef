"""Hidden checks of ex01_activations: shapes, value ranges and arguments the visible checks do
not use, drawn at random (seeded) and answered by the reference solution.

Each check draws its inputs from ``check_rng`` (seeded with ``grader.judge.cases.SEED`` and the
check's name: the same inputs in every run) and compares with ``solutions/`` the way the kit's
own checks do, with their tolerance, so a failure reads like theirs: the call, the input, the
worst element, the rounding error allowed there, and the likely mistake when it is a known one.
"""

import numpy as np

from grader.checks.ex01_activations import tolerance
from grader.judge.cases import Case
from grader.judge.numpy_math import sigmoid, softmax
from grader.judge.reference import SOURCE, answered_case, check_rng, reference_solution
from grader.judge.student import Student
from grader.judge.verdict import Mistake, gives, not_finite

SHAPES = [((2, 3, 2, 2), np.float32), ((1, 2, 1, 3, 2), np.float64), ((50,), np.float64)]
"""Shapes and dtypes beyond the visible checks' 0-d to 3-d arrays."""
SCALE = 20.0
"""Inputs are drawn from [-SCALE, SCALE]."""


def _inputs(rng: np.random.Generator, shape: tuple[int, ...], dtype: type) -> np.ndarray:
    """Uniform values in [-SCALE, SCALE], one in ten set to exactly 0 (where the derivatives of
    relu and leaky_relu jump)."""
    x = rng.uniform(-SCALE, SCALE, size=shape)
    x[rng.random(size=shape) < 0.1] = 0.0
    return x.astype(dtype)


def _describe(x: np.ndarray, **kwargs: object) -> str:
    words = [f"{x.ndim}-d {x.dtype} array of shape {x.shape}, values in [-{SCALE:g}, {SCALE:g}]"]
    return ", ".join([*words, *(f"{k}={v}" for k, v in kwargs.items())])


def _elementwise_mistakes(case: Case) -> list[Mistake]:
    x = case["x"].astype(float)
    slope = case.kwargs.get("negative_slope", 0.2)
    return {
        "sigmoid": [not_finite("sigmoid_overflow"), gives("sigmoid_sign", lambda: sigmoid(-x))],
        "tanh": [not_finite("tanh_overflow")],
        "sigmoid_grad": [gives("derivative_of_output_formula", lambda: x * (1 - x))],
        "tanh_grad": [gives("derivative_of_output_formula", lambda: 1 - x**2)],
        "relu_grad": [gives("relu_grad_at_zero", lambda: (x >= 0).astype(float))],
        "leaky_relu_grad": [
            gives("leaky_relu_grad_at_zero", lambda: np.where(x >= 0, 1.0, slope)),
        ],
    }.get(case.function, [])


def test_elementwise_more_inputs(student: Student) -> None:
    """Every element-wise function and derivative on 4-d, 5-d and long 1-d arrays."""
    reference = reference_solution(student.exercise, student.reference_dir)
    rng = check_rng(student.exercise, "elementwise_more_inputs")
    inputs = [_inputs(rng, shape, dtype) for shape, dtype in SHAPES]
    for function in (
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "sigmoid_grad",
        "tanh_grad",
        "relu_grad",
        "leaky_relu_grad",
    ):
        for x in inputs:
            case = answered_case(
                reference, "elementwise_more_inputs", function, _describe(x), {"x": x}
            )
            student.check_case(
                case,
                ["x"],
                source=SOURCE,
                mistakes=_elementwise_mistakes(case),
                tolerance=tolerance(case),
            )


def test_softmax_more_inputs(student: Student) -> None:
    """softmax along every axis of a 4-d array, on wide float32 rows and on a long 1-d array."""
    reference = reference_solution(student.exercise, student.reference_dir)
    rng = check_rng(student.exercise, "softmax_more_inputs")
    four_d = _inputs(rng, (2, 3, 4, 5), np.float64)
    calls = [(four_d, axis) for axis in (-1, 2, 1, 0, -3)]
    calls += [(_inputs(rng, (6, 10), np.float32) * 5, -1), (_inputs(rng, (100,), np.float64), -1)]
    for x, axis in calls:
        case = answered_case(
            reference,
            "softmax_more_inputs",
            "softmax",
            _describe(x, axis=axis),
            {"x": x},
            axis=axis,
        )
        wide = x.astype(float)
        mistakes = [
            not_finite("softmax_overflow"),
            gives("softmax_whole_array", lambda w=wide: softmax(w, None)),
        ]
        if axis % x.ndim != x.ndim - 1:
            mistakes.append(gives("softmax_ignores_axis", lambda w=wide: softmax(w, -1)))
        student.check_case(case, ["x"], source=SOURCE, mistakes=mistakes, tolerance=tolerance(case))


def test_leaky_relu_more_slopes(student: Student) -> None:
    """leaky_relu and its derivative with slopes the visible checks do not use."""
    reference = reference_solution(student.exercise, student.reference_dir)
    rng = check_rng(student.exercise, "leaky_relu_more_slopes")
    x = _inputs(rng, (5, 6), np.float64)
    for slope in (0.01, 0.05, 0.5, 1.0):
        for function in ("leaky_relu", "leaky_relu_grad"):
            case = answered_case(
                reference,
                "leaky_relu_more_slopes",
                function,
                _describe(x, negative_slope=slope),
                {"x": x},
                negative_slope=slope,
            )
            with_default_slope = getattr(reference, function)(x.copy())
            student.check_case(
                case,
                ["x"],
                source=SOURCE,
                mistakes=[gives("ignored_negative_slope", with_default_slope)],
                tolerance=tolerance(case),
            )
