"""Checks of ex02_losses: each loss against ``keras.losses``'s recorded per-sample values."""

from functools import partial
from types import ModuleType

import numpy as np

from grader.judge.cases import Case, cases_for
from grader.judge.reference import random_twin
from grader.judge.student import Student
from grader.judge.verdict import Mistake, Rounding, gives, not_finite, shaped
from grader.words import say

EXERCISE = "ex02_losses"
EPSILON = 1e-7


def _clipped(p: np.ndarray) -> np.ndarray:
    return np.clip(p, EPSILON, 1 - EPSILON)


def tolerance(case: Case) -> Rounding:
    """The rounding error allowed at the case's input (``grader.judge.verdict.Rounding``), with
    each loss's sensitivity ``sum_j |v_j * d loss / d v_j|`` (t = y_true, q = the clipped
    probabilities, k over the last axis, of size K):

    ```
    binary_crossentropy       mean_k(|t| * |log q - log(1 - q)| + |t| + |1 - t| * q / (1 - q))
    categorical_crossentropy  sum_k(|t| * (|log q| + 2))      (q after dividing by the row sum)
    sparse_categorical_...    1
    mean_squared_error        mean_k(2 * |t - p| * (|t| + |p|))
    ```
    ``q / (1 - q)`` is the sensitivity of ``log(1 - q)``: 1e7 at the clip ``1 - 1e-7``, which
    float32 rounds to ``1 - 1.19e-7`` (``log(1 - q)`` is -15.94 there, -16.12 in float64), so
    a float32 loss at ``p = 1`` is only known to about 1. The allowance ``10 * EPSILON`` is
    for Keras's sparse crossentropy, which renormalises the clipped probabilities and so moves
    a loss near 0 by about EPSILON. ``|log q|`` (for the squared error, ``|t - p|``) is quoted.
    """
    t, p = case["y_true"].astype(float), case["y_pred"].astype(float)
    with np.errstate(all="ignore"):
        if case.function == "mean_squared_error":
            sensitivity = np.mean(2 * np.abs(t - p) * (np.abs(t) + np.abs(p)), axis=-1)
            at = ("y_true - y_pred", np.max(np.abs(t - p), axis=-1))
        elif case.function == "sparse_categorical_crossentropy":
            q = _clipped(p)
            sensitivity = np.ones(q.shape[:-1])
            at = ("log p", np.max(np.abs(np.log(q)), axis=-1))
        elif case.function == "categorical_crossentropy":
            q = _clipped(p / np.sum(p, axis=-1, keepdims=True))
            sensitivity = np.sum(np.abs(t) * (np.abs(np.log(q)) + 2), axis=-1)
            at = ("log p", np.max(np.abs(np.log(q)), axis=-1))
        else:
            q = _clipped(p)
            logs = np.abs(np.log(q) - np.log(1 - q))
            sensitivity = np.mean(np.abs(t) * (logs + 1) + np.abs(1 - t) * q / (1 - q), axis=-1)
            at = ("log p", np.max(np.maximum(np.abs(np.log(q)), np.abs(np.log(1 - q))), axis=-1))
    return Rounding(
        str(case["expected"].dtype),
        sensitivity,
        allowance=10 * EPSILON,
        allowance_reason="renormalised",
        at=at,
    )


def reference_case(case: Case, rng: np.random.Generator, reference: ModuleType) -> Case:
    """The samples in a new order, the same for targets and predictions (so that every target
    keeps its prediction: a 0 paired with a prediction of exactly 1 stays paired), and each
    prediction moved: probabilities strictly between 0 and 1 by a random step in logit space
    (rows that summed to 1 then divided by their new sums), other values by a normal step.
    Exact 0s and 1s stay: they are what a clipping case is there for."""
    y_true, y_pred = case["y_true"], case["y_pred"]
    order = rng.permutation(y_pred.shape[0]) if y_pred.ndim > 1 else np.arange(len(y_pred))
    new_true, p = y_true[order], y_pred[order].astype(float)
    noise = rng.normal(0.0, 0.5, size=p.shape)
    if case.function == "mean_squared_error":
        new_pred = p + noise
    else:
        inside = (p > 0) & (p < 1)
        with np.errstate(all="ignore"):
            moved = np.where(inside, 1 / (1 + (1 / p - 1) * np.exp(-noise)), p)
        sums = np.sum(p, axis=-1, keepdims=True)
        rows = np.isclose(sums, 1.0) & (case.function != "binary_crossentropy")
        new_pred = np.where(rows, moved / np.sum(moved, axis=-1, keepdims=True), moved)
    new_pred = new_pred.astype(y_pred.dtype)
    expected = np.asarray(getattr(reference, case.function)(new_true.copy(), new_pred.copy()))
    arrays = {"y_true": new_true, "y_pred": new_pred}
    return random_twin(case, arrays, {"expected": expected.astype(case["expected"].dtype)})


def _bce(y_true: np.ndarray, y_pred: np.ndarray, reduce=np.mean) -> np.ndarray:
    p = _clipped(y_pred)
    return reduce(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)


def _bce_clipped_below(y_true: np.ndarray, y_pred: np.ndarray) -> list:
    """Binary crossentropy with the probabilities clipped at EPSILON only (``np.maximum(p,
    EPSILON)``), written as the product and as ``np.where``: ``log(1 - 1)`` where a target 0
    meets a prediction of exactly 1."""
    p = np.maximum(y_pred, EPSILON)
    with np.errstate(all="ignore"):
        return [
            np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1),
            np.mean(np.where(y_true == 1, -np.log(p), -np.log(1 - p)), axis=-1),
        ]


def _cce(y_true: np.ndarray, y_pred: np.ndarray, reduce=np.sum) -> np.ndarray:
    return -reduce(y_true * np.log(_clipped(y_pred)), axis=-1)


def _reduced(case: Case) -> list[Mistake]:
    """A per-sample loss averaged down to one number."""
    return [shaped("loss_reduced_to_scalar", ())] if case["expected"].shape != () else []


def _check_all(student: Student, check: str, mistakes_for) -> None:
    for case in student.cases(check):
        student.check_case(
            case,
            ["y_true", "y_pred"],
            source=f"keras.losses.{case.function}",
            mistakes=[*_reduced(case), *mistakes_for(case)],
            shape_rule=say("why.per_sample"),
            tolerance=tolerance(case),
        )


def _as_float(case: Case) -> tuple[np.ndarray, np.ndarray]:
    return case["y_true"].astype(float), case["y_pred"].astype(float)


def test_binary_crossentropy(student: Student) -> None:
    def mistakes(case: Case) -> list[Mistake]:
        t, p = _as_float(case)
        return [
            gives("sum_instead_of_mean", lambda: _bce(t, p, np.sum)),
            gives("arguments_swapped", lambda: _bce(p, t)),
        ]

    _check_all(student, "binary_crossentropy", mistakes)


def test_categorical_crossentropy(student: Student) -> None:
    def mistakes(case: Case) -> list[Mistake]:
        t, p = _as_float(case)
        return [
            gives("mean_instead_of_sum", lambda: _cce(t, p, np.mean)),
            gives("arguments_swapped", lambda: _cce(p, t)),
        ]

    _check_all(student, "categorical_crossentropy", mistakes)


def _sparse_mistakes(case: Case) -> list[Mistake]:
    labels, p = case["y_true"], case["y_pred"].astype(float)
    shape = case["expected"].shape
    rows = p.reshape(-1, p.shape[-1])
    return [
        shaped("sparse_kept_last_axis", (*shape, 1)),
        shaped("sparse_indexing", (*shape, shape[-1])) if shape else shaped("sparse_indexing", ()),
        gives("sparse_indexing", lambda: -np.log(np.clip(rows[labels], EPSILON, 1))[..., 0]),
        gives("sparse_indexing", lambda: -np.log(np.clip(p[..., 0], EPSILON, 1))),
    ]


def test_sparse_categorical_crossentropy(student: Student) -> None:
    _check_all(student, "sparse_categorical_crossentropy", _sparse_mistakes)


def test_mean_squared_error(student: Student) -> None:
    def mistakes(case: Case) -> list[Mistake]:
        t, p = _as_float(case)
        return [gives("sum_instead_of_mean", lambda: np.sum((t - p) ** 2, axis=-1))]

    _check_all(student, "mean_squared_error", mistakes)


def test_crossentropy_clipping(student: Student) -> None:
    def mistakes(case: Case) -> list[Mistake]:
        # A loss reduced the wrong way is also far from the expected one on these cases: it is
        # simulated first, so that it is not taken for another epsilon.
        t, p = _as_float(case)
        simulated = []
        if case.function == "binary_crossentropy":
            simulated = [gives("clip_lower_only", wrong) for wrong in _bce_clipped_below(t, p)]
            simulated.append(gives("sum_instead_of_mean", lambda: _bce(t, p, np.sum)))
        elif case.function == "categorical_crossentropy":
            simulated = [gives("mean_instead_of_sum", lambda: _cce(t, p, np.mean))]
        found = [
            *simulated,
            not_finite("no_clipping"),
            Mistake(
                "clip_epsilon",
                lambda received: (
                    bool(np.all(np.isfinite(received)))
                    and bool(np.any(received > case["expected"] + 1))
                ),
            ),
        ]
        return [*found, *_sparse_mistakes(case)] if case.function.startswith("sparse") else found

    _check_all(student, "crossentropy_clipping", mistakes)


def test_inputs_unmodified(student: Student) -> None:
    cases = [
        *cases_for(EXERCISE, "crossentropy_clipping"),
        cases_for(EXERCISE, "mean_squared_error")[0],
    ]
    student.expect_inputs_untouched(
        [
            (
                f"{c.function}(y_true, y_pred)",
                ["y_true", "y_pred"],
                partial(
                    student.submission.call, c.function, c["y_true"].copy(), c["y_pred"].copy()
                ),
            )
            for c in cases
        ]
    )
