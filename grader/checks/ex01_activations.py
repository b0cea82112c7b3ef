"""Checks of ex01_activations: each function against tf.keras's recorded values.

Values come from ``keras.activations`` and derivatives from ``tf.GradientTape``, recorded in
``grader/golden/ex01_activations.npz`` for 0-d to 3-d float32 and float64 inputs.
"""

from functools import partial
from types import ModuleType

import numpy as np

from grader.judge.cases import Case, cases_for
from grader.judge.reference import random_twin
from grader.judge.student import Student
from grader.judge.verdict import gives, not_finite

EXERCISE = "ex01_activations"


def _check_all(student: Student, check: str, source: str, mistakes_for=lambda case: ()) -> None:
    for case in student.cases(check):
        student.check_case(case, ["x"], source=source, mistakes=mistakes_for(case))


def reference_case(case: Case, rng: np.random.Generator, reference: ModuleType) -> Case:
    """The same shape and dtype, each value scaled by 0.5 to 1.5 and its sign drawn anew."""
    x = case["x"]
    scale = rng.uniform(0.5, 1.5, size=x.shape) * rng.choice([-1.0, 1.0], size=x.shape)
    new_x = (x * scale).astype(x.dtype)
    expected = np.asarray(getattr(reference, case.function)(new_x.copy(), **case.kwargs))
    return random_twin(case, {"x": new_x}, {"expected": expected.astype(case["expected"].dtype)})


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 0.5 * (1 + np.tanh(0.5 * x))


def _softmax(x: np.ndarray, axis: int | None) -> np.ndarray:
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def test_sigmoid(student: Student) -> None:
    _check_all(
        student,
        "sigmoid",
        "keras.activations.sigmoid",
        lambda c: [gives("sigmoid_sign", lambda: _sigmoid(-c["x"].astype(float)))],
    )


def test_sigmoid_extreme(student: Student) -> None:
    _check_all(
        student,
        "sigmoid_extreme",
        "keras.activations.sigmoid",
        lambda c: [not_finite("sigmoid_overflow")],
    )


def test_tanh(student: Student) -> None:
    _check_all(student, "tanh", "keras.activations.tanh")


def test_tanh_extreme(student: Student) -> None:
    _check_all(
        student, "tanh_extreme", "keras.activations.tanh", lambda c: [not_finite("tanh_overflow")]
    )


def test_relu(student: Student) -> None:
    _check_all(student, "relu", "keras.activations.relu")


def _slope_mistakes(case: Case, leaky) -> list:
    x = case["x"].astype(float)
    slope = case.kwargs.get("negative_slope", 0.2)
    wrong_slopes = [s for s in (0.2, 0.3, 0.01, 0.0) if s != slope]
    ids = [
        "ignored_negative_slope"
        if "negative_slope" in case.kwargs
        else "leaky_relu_default"
        if s == 0.3
        else "ignored_negative_slope"
        for s in wrong_slopes
    ]
    return [gives(i, lambda s=s: leaky(x, s)) for i, s in zip(ids, wrong_slopes, strict=True)]


def test_leaky_relu(student: Student) -> None:
    _check_all(
        student,
        "leaky_relu",
        "keras.activations.leaky_relu",
        lambda c: _slope_mistakes(c, lambda x, s: np.where(x > 0, x, s * x)),
    )


def test_softmax(student: Student) -> None:
    def mistakes(case: Case) -> list:
        x = case["x"].astype(float)
        return [
            not_finite("softmax_overflow"),
            gives("softmax_whole_array", lambda: _softmax(x, None)),
            gives("softmax_wrong_axis", lambda: _softmax(x, 0)),
        ]

    _check_all(student, "softmax", "keras.activations.softmax", mistakes)


def test_softmax_axis(student: Student) -> None:
    def mistakes(case: Case) -> list:
        x = case["x"].astype(float)
        return [
            gives("softmax_ignores_axis", lambda: _softmax(x, -1)),
            gives("softmax_whole_array", lambda: _softmax(x, None)),
        ]

    _check_all(student, "softmax_axis", "keras.activations.softmax", mistakes)


def test_softmax_extreme(student: Student) -> None:
    _check_all(
        student,
        "softmax_extreme",
        "keras.activations.softmax",
        lambda c: [not_finite("softmax_overflow")],
    )


def test_sigmoid_grad(student: Student) -> None:
    _check_all(
        student,
        "sigmoid_grad",
        "tf.GradientTape of keras.activations.sigmoid",
        lambda c: [
            gives("derivative_of_output_formula", lambda: c["x"] * (1.0 - c["x"].astype(float)))
        ],
    )


def test_tanh_grad(student: Student) -> None:
    _check_all(
        student,
        "tanh_grad",
        "tf.GradientTape of keras.activations.tanh",
        lambda c: [gives("derivative_of_output_formula", lambda: 1.0 - c["x"].astype(float) ** 2)],
    )


def test_relu_grad(student: Student) -> None:
    _check_all(
        student,
        "relu_grad",
        "tf.GradientTape of keras.activations.relu",
        lambda c: [gives("relu_grad_at_zero", lambda: (c["x"] >= 0).astype(float))],
    )


def test_leaky_relu_grad(student: Student) -> None:
    def mistakes(case: Case) -> list:
        x, slope = case["x"], case.kwargs.get("negative_slope", 0.2)
        return [
            gives("leaky_relu_grad_at_zero", lambda: np.where(x >= 0, 1.0, slope)),
            *_slope_mistakes(case, lambda x, s: np.where(x > 0, 1.0, s)),
        ]

    _check_all(
        student, "leaky_relu_grad", "tf.GradientTape of keras.activations.leaky_relu", mistakes
    )


def test_inputs_unmodified(student: Student) -> None:
    x = cases_for(EXERCISE, "relu")[2]["x"]
    names = (
        "sigmoid",
        "tanh",
        "relu",
        "leaky_relu",
        "softmax",
        "sigmoid_grad",
        "tanh_grad",
        "relu_grad",
        "leaky_relu_grad",
    )
    student.expect_inputs_untouched(
        [(f"{name}(x)", ["x"], partial(student.submission.call, name, x.copy())) for name in names]
    )
