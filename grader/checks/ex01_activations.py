"""Checks of ex01_activations: each function against tf.keras's recorded values.

Values come from ``keras.activations`` and derivatives from ``tf.GradientTape``, recorded in
``grader/golden/ex01_activations.npz`` for 0-d to 3-d float32 and float64 inputs. Each answer
is held to the rounding error its dtype allows at its input (``tolerance``).
"""

from functools import partial
from types import ModuleType

import numpy as np

from grader.judge.cases import Case, cases_for
from grader.judge.numpy_math import sigmoid, softmax
from grader.judge.reference import random_twin
from grader.judge.student import Student
from grader.judge.verdict import Mistake, Rounding, gives, not_finite, shaped

EXERCISE = "ex01_activations"


def _check_all(student: Student, check: str, source: str, mistakes_for=lambda case: ()) -> None:
    for case in student.cases(check):
        student.check_case(
            case, ["x"], source=source, mistakes=mistakes_for(case), tolerance=tolerance(case)
        )


def reference_case(case: Case, rng: np.random.Generator, reference: ModuleType) -> Case:
    """The same shape and dtype, each distinct value scaled by 0.5 to 1.5: zeros stay zeros,
    equal values stay equal and large negative values large negative (the edge cases a case
    is there for)."""
    x = case["x"]
    values, inverse = np.unique(x, return_inverse=True)
    scale = rng.uniform(0.5, 1.5, size=values.shape)
    new_x = (values * scale)[inverse].reshape(x.shape).astype(x.dtype)
    expected = np.asarray(getattr(reference, case.function)(new_x.copy(), **case.kwargs))
    return random_twin(case, {"x": new_x}, {"expected": expected.astype(case["expected"].dtype)})


def tolerance(case: Case) -> Rounding:
    """The rounding error allowed at the case's input (``grader.judge.verdict.Rounding``), with
    each function's sensitivity ``sum_j |v_j * d f / d v_j|``:

    ```
    sigmoid       |x| * s * (1 - s)                  s = sigmoid(x)
    tanh          |x| * (1 - t**2)                   t = tanh(x)
    relu          |relu(x)|
    leaky_relu    |leaky_relu(x)|
    softmax       s_i * (|x_i| + sum_j s_j * |x_j|)  s = softmax(x) along the axis
    sigmoid_grad  |x| * s * (1 - s) * |1 - 2 * s|
    tanh_grad     2 * |x * t| * (1 - t**2) + 2 * t**2
    relu_grad, leaky_relu_grad: 0                    (the answer is exactly 0, 1 or the slope)
    ```
    Keras keeps ``negative_slope`` in float32 whatever x's dtype: leaky_relu's answer moves
    with it by ``|negative_slope * x|`` where x <= 0 (its derivative's by ``negative_slope``),
    its ``float32_sensitivity``.
    softmax's bounds both that of its inputs, ``(1 - s_i) |x_i| + sum_{j != i} s_j |x_j|``, and
    that of the log-sum-exp ``log sum_j exp(x_j) = sum_j s_j x_j + entropy`` which the stable
    ``exp(x - logsumexp(x))`` rounds; tanh_grad's last term is that of ``tanh(x)`` itself,
    which ``1 - t**2`` squares. ``|x|`` (for softmax, the largest along the axis) is quoted.
    """
    x = case["x"].astype(float)
    s, t = sigmoid(x), np.tanh(x)
    slope = case.kwargs.get("negative_slope", 0.2)
    magnitude = np.abs(x)
    if case.function == "softmax":
        axis = case.kwargs.get("axis", -1)
        p = softmax(x, axis)
        sensitivity = p * (magnitude + np.sum(p * magnitude, axis=axis, keepdims=True))
        magnitude = np.broadcast_to(np.max(magnitude, axis=axis, keepdims=True), x.shape)
    else:
        sensitivity = {
            "sigmoid": magnitude * s * (1 - s),
            "tanh": magnitude * (1 - t**2),
            "relu": np.maximum(x, 0),
            "leaky_relu": np.abs(np.where(x > 0, x, slope * x)),
            "sigmoid_grad": magnitude * s * (1 - s) * np.abs(1 - 2 * s),
            "tanh_grad": 2 * magnitude * np.abs(t) * (1 - t**2) + 2 * t**2,
        }.get(case.function, np.zeros_like(x))
    slope_sensitivity = {
        "leaky_relu": np.where(x > 0, 0.0, np.abs(slope * x)),
        "leaky_relu_grad": np.where(x > 0, 0.0, abs(slope)),
    }.get(case.function, 0.0)
    return Rounding(
        str(case["expected"].dtype),
        sensitivity,
        float32_sensitivity=slope_sensitivity,
        at=("x", magnitude),
    )


def test_sigmoid(student: Student) -> None:
    _check_all(
        student,
        "sigmoid",
        "keras.activations.sigmoid",
        lambda c: [gives("sigmoid_sign", lambda: sigmoid(-c["x"].astype(float)))],
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


def _softmax_ties_dropped(x: np.ndarray, axis: int) -> np.ndarray:
    """The log1p form that leaves out of the sum every element equal to the maximum, not one:
    ``exp(x - m - log1p(sum_{x_j < m} exp(x_j - m)))``, 1 for every tied maximum."""
    m = np.max(x, axis=axis, keepdims=True)
    rest = np.sum(np.where(x < m, np.exp(x - m), 0.0), axis=axis, keepdims=True)
    return np.exp(x - m - np.log1p(rest))


def _softmax_shapes(case: Case) -> list[Mistake]:
    """Results whose shape gives away a lost axis: squeezed, or the sum's axis dropped and
    broadcast back (an axis of length 1 turns (n, 1) / (n,) into (n, n) without an error)."""
    shape = case["x"].shape
    axis = case.kwargs.get("axis", -1) % len(shape)
    found = []
    squeezed = tuple(n for n in shape if n != 1)
    if squeezed != shape:
        found.append(shaped("softmax_squeezed", squeezed))
    try:
        spread = np.broadcast_shapes(shape, shape[:axis] + shape[axis + 1 :])
    except ValueError:
        return found
    if spread != shape:
        found.append(shaped("softmax_sum_without_keepdims", spread))
    return found


def _softmax_mistakes(case: Case, *first: str) -> list[Mistake]:
    x, axis = case["x"].astype(float), case.kwargs.get("axis", -1)
    wrong = {
        "softmax_ignores_axis": lambda: softmax(x, -1),
        "softmax_whole_array": lambda: softmax(x, None),
        "softmax_wrong_axis": lambda: softmax(x, 0),
    }
    return [
        not_finite("softmax_overflow"),
        *(gives(name, wrong[name]) for name in first),
        gives("softmax_ties_dropped", lambda: _softmax_ties_dropped(x, axis)),
        *_softmax_shapes(case),
    ]


def test_softmax(student: Student) -> None:
    _check_all(
        student,
        "softmax",
        "keras.activations.softmax",
        lambda c: _softmax_mistakes(c, "softmax_whole_array", "softmax_wrong_axis"),
    )


def test_softmax_axis(student: Student) -> None:
    def mistakes(case: Case) -> list:
        return _softmax_mistakes(case, "softmax_ignores_axis", "softmax_whole_array")[1:]

    _check_all(student, "softmax_axis", "keras.activations.softmax", mistakes)


def test_softmax_extreme(student: Student) -> None:
    _check_all(student, "softmax_extreme", "keras.activations.softmax", _softmax_mistakes)


def test_sigmoid_grad(student: Student) -> None:
    _check_all(
        student,
        "sigmoid_grad",
        "tf.GradientTape of keras.activations.sigmoid",
        lambda c: [
            gives("derivative_of_output_formula", lambda: c["x"] * (1.0 - c["x"].astype(float))),
            not_finite("sigmoid_grad_overflow"),
        ],
    )


def test_tanh_grad(student: Student) -> None:
    _check_all(
        student,
        "tanh_grad",
        "tf.GradientTape of keras.activations.tanh",
        lambda c: [
            gives("derivative_of_output_formula", lambda: 1.0 - c["x"].astype(float) ** 2),
            not_finite("tanh_overflow"),
        ],
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
