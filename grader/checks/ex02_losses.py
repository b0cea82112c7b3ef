"""Checks of ex02_losses: each loss against ``keras.losses``'s recorded per-sample values."""

from functools import partial
from types import ModuleType

import numpy as np

from grader.judge.cases import Case, cases_for
from grader.judge.reference import random_twin
from grader.judge.student import Student
from grader.judge.verdict import Mistake, Tolerance, gives, not_finite, shaped
from grader.words import say

EXERCISE = "ex02_losses"
EPSILON = 1e-7


def _tolerance(case: Case) -> Tolerance:
    """The dtype's tolerance, with 1e-6 absolute: Keras's sparse crossentropy renormalises the
    clipped probabilities, which moves a loss near 0 by about EPSILON."""
    base = Tolerance.for_dtype(case["expected"].dtype)
    return Tolerance(rtol=base.rtol, atol=max(base.atol, 10 * EPSILON))


def reference_case(case: Case, rng: np.random.Generator, reference: ModuleType) -> Case:
    """The same targets and predictions, each shuffled over the samples on its own."""
    y_true, y_pred = case["y_true"], case["y_pred"]
    shape = y_pred.shape
    rows_true = y_true.reshape(-1, *y_true.shape[len(shape) - 1 :]) if y_pred.ndim > 1 else y_true
    rows_pred = y_pred.reshape(-1, shape[-1]) if y_pred.ndim > 1 else y_pred
    new_true = rows_true[rng.permutation(len(rows_true))].reshape(y_true.shape)
    new_pred = rows_pred[rng.permutation(len(rows_pred))].reshape(shape)
    expected = np.asarray(getattr(reference, case.function)(new_true.copy(), new_pred.copy()))
    arrays = {"y_true": new_true, "y_pred": new_pred}
    return random_twin(case, arrays, {"expected": expected.astype(case["expected"].dtype)})


def _bce(y_true: np.ndarray, y_pred: np.ndarray, reduce=np.mean) -> np.ndarray:
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    return reduce(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)


def _cce(y_true: np.ndarray, y_pred: np.ndarray, reduce=np.sum) -> np.ndarray:
    return -reduce(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON)), axis=-1)


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
            tolerance=_tolerance(case),
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
        found = [
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
