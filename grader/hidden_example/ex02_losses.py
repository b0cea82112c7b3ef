"""Hidden checks of ex02_losses: bigger batches and predictions whose rows do not sum to 1,
drawn at random (seeded) and answered by the reference solution."""

import numpy as np

from grader.checks.ex02_losses import tolerance
from grader.judge.numpy_math import softmax
from grader.judge.reference import SOURCE, answered_case, check_rng, reference_solution
from grader.judge.student import Student
from grader.judge.verdict import Mistake, gives, shaped
from grader.words import say

EPSILON = 1e-7
LOSSES = (
    "binary_crossentropy",
    "categorical_crossentropy",
    "sparse_categorical_crossentropy",
    "mean_squared_error",
)
SHAPES = [((64, 10), np.float32), ((2, 4, 5), np.float64)]
"""Shapes of ``y_pred``: a batch bigger than the visible checks' and a 3-d one."""


def _batch(
    rng: np.random.Generator, loss: str, shape: tuple[int, ...], dtype: type
) -> dict[str, np.ndarray]:
    """Targets and predictions as each loss takes them: 0/1 targets and sigmoid outputs,
    one-hot rows or integer labels and softmax outputs, real values for the squared error."""
    logits = rng.normal(0.0, 2.0, size=shape)
    labels = rng.integers(0, shape[-1], size=shape[:-1])
    if loss == "binary_crossentropy":
        y_true = rng.integers(0, 2, size=shape).astype(dtype)
        return {"y_true": y_true, "y_pred": (1 / (1 + np.exp(-logits))).astype(dtype)}
    if loss == "categorical_crossentropy":
        y_true = np.eye(shape[-1], dtype=dtype)[labels]
        return {"y_true": y_true, "y_pred": softmax(logits).astype(dtype)}
    if loss == "sparse_categorical_crossentropy":
        return {"y_true": labels, "y_pred": softmax(logits).astype(dtype)}
    return {"y_true": rng.normal(size=shape).astype(dtype), "y_pred": logits.astype(dtype)}


def _cce(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    return -np.sum(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON)), axis=-1)


def _mistakes(loss: str, y_true: np.ndarray, y_pred: np.ndarray) -> list[Mistake]:
    t, p = y_true.astype(float), y_pred.astype(float)
    shape = y_pred.shape[:-1]
    found = [shaped("loss_reduced_to_scalar", ())]
    if loss == "binary_crossentropy":
        clipped = np.clip(p, EPSILON, 1 - EPSILON)
        found.append(
            gives(
                "sum_instead_of_mean",
                lambda: np.sum(-(t * np.log(clipped) + (1 - t) * np.log(1 - clipped)), axis=-1),
            )
        )
    elif loss == "categorical_crossentropy":
        found.append(gives("mean_instead_of_sum", lambda: _cce(t, p) / p.shape[-1]))
    elif loss == "sparse_categorical_crossentropy":
        found.append(shaped("sparse_kept_last_axis", (*shape, 1)))
    else:
        found.append(gives("sum_instead_of_mean", lambda: np.sum((t - p) ** 2, axis=-1)))
    return found


def _describe(y_pred: np.ndarray, what: str = "") -> str:
    words = f"{y_pred.ndim}-d {y_pred.dtype} shape {y_pred.shape}"
    return f"{what} ({words})" if what else words


def test_losses_more_inputs(student: Student) -> None:
    """Every loss on a batch of 64 samples of 10 classes (float32) and on a 3-d batch."""
    reference = reference_solution(student.exercise, student.reference_dir)
    rng = check_rng(student.exercise, "losses_more_inputs")
    for loss in LOSSES:
        for shape, dtype in SHAPES:
            inputs = _batch(rng, loss, shape, dtype)
            case = answered_case(
                reference, "losses_more_inputs", loss, _describe(inputs["y_pred"]), inputs
            )
            student.check_case(
                case,
                ["y_true", "y_pred"],
                source=SOURCE,
                mistakes=_mistakes(loss, inputs["y_true"], inputs["y_pred"]),
                shape_rule=say("why.per_sample"),
                tolerance=tolerance(case),
            )


def test_categorical_unnormalised(student: Student) -> None:
    """categorical_crossentropy divides y_pred by its row sums first, as its docstring says."""
    reference = reference_solution(student.exercise, student.reference_dir)
    rng = check_rng(student.exercise, "categorical_unnormalised")
    for shape, dtype in [((8, 5), np.float64), ((3, 2, 4), np.float32)]:
        inputs = _batch(rng, "categorical_crossentropy", shape, dtype)
        scale = rng.uniform(0.3, 3.0, size=(*shape[:-1], 1))
        inputs["y_pred"] = (inputs["y_pred"] * scale).astype(dtype)
        description = _describe(inputs["y_pred"], "rows of y_pred that do not sum to 1")
        case = answered_case(
            reference, "categorical_unnormalised", "categorical_crossentropy", description, inputs
        )
        t, p = inputs["y_true"].astype(float), inputs["y_pred"].astype(float)
        student.check_case(
            case,
            ["y_true", "y_pred"],
            source=SOURCE,
            mistakes=[gives("cce_not_normalised", lambda t=t, p=p: _cce(t, p))],
            shape_rule=say("why.per_sample"),
            tolerance=tolerance(case),
        )
