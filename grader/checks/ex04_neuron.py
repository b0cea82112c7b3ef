"""Checks of ex04_neuron: one sigmoid neuron against Keras's ``Dense(1, activation="sigmoid")``.

Predictions and losses come from Keras, gradients from ``tf.GradientTape``, trained weights from
``model.fit(..., shuffle=False)`` with ``keras.optimizers.SGD`` (float64, recorded in
``grader/golden/ex04_neuron.npz``). The optimizer handed to ``train`` is the grader's own plain
SGD (``grader.judge.provided.SGD``), so an unfinished ex03 costs nothing here; it computes in
the judge, which counts its steps.
"""

from functools import cache
from types import ModuleType
from typing import Any

import numpy as np

from grader.judge.cases import Case, describe_case
from grader.judge.numpy_math import sigmoid
from grader.judge.provided import SGD
from grader.judge.reference import random_twin
from grader.judge.student import Student, argument_name
from grader.judge.verdict import (
    Mistake,
    Tolerance,
    Verdict,
    as_float_array,
    check_close,
    describe,
    explain,
    gives,
    not_finite,
    shaped,
)
from grader.words import say

EXERCISE = "ex04_neuron"
TOLERANCE = Tolerance(rtol=1e-6, atol=1e-9)
EPSILON = 1e-7
ACCURACY_MARGIN = 0.03


def _loss(X, y, w, b, reduce=np.mean) -> float:
    p = np.clip(sigmoid(X @ w + b), EPSILON, 1 - EPSILON)
    return float(reduce(-(y * np.log(p) + (1 - y) * np.log(1 - p))))


def _gradients(X, y, w, b, sign=1.0, reduce=np.mean) -> np.ndarray:
    error = sign * (sigmoid(X @ w + b) - y)
    return np.concatenate([X.T @ error / (len(y) if reduce is np.mean else 1), [reduce(error)]])


def _train(X, y, w, b, lr, epochs, batch_size, variant: str | None = None):
    """The right loop, or one of its common wrong variants."""
    last = len(y) - batch_size + 1 if variant == "train_drops_last_batch" else len(y)
    size = len(y) if variant == "train_full_batch" else batch_size
    for _ in range(epochs):
        for start in range(0, last, size):
            batch = slice(start, start + size)
            g = _gradients(X[batch], y[batch], w, b)
            w = w - lr * g[:-1]
            if variant != "train_bias_not_updated":
                b = b - lr * g[-1]
    return np.concatenate([w, [b]])


def _arrays(case: Case) -> tuple[np.ndarray, np.ndarray, np.ndarray, float]:
    return case["X"], case["y"], case["w"], float(case["b"])


def _input_words(case: Case) -> dict[str, np.ndarray]:
    return {"X": case["X"], "y": case["y"], "w": case["w"], "b": case["b"]}


def reference_case(case: Case, rng: np.random.Generator, reference: ModuleType) -> Case:
    """New data of the same shapes; the reference solution's answers."""
    X = rng.standard_normal(case["X"].shape)
    y = (rng.uniform(size=case["y"].shape) < 0.5).astype(float)
    w = rng.standard_normal(case["w"].shape) * 0.5
    b = float(rng.standard_normal() * 0.5)
    arrays = {"X": X, "y": y, "w": w, "b": np.array(b)}
    if case.check == "predict_proba":
        expected = {"expected": reference.predict_proba(X, w, b)}
    elif case.check == "loss":
        expected = {"expected": np.array(reference.loss(X, y, w, b))}
    elif case.check == "gradients":
        dw, db = reference.gradients(X, y, w, b)
        expected = {"expected_dw": np.asarray(dw), "expected_db": np.array(db)}
    else:
        trained_w, trained_b, _ = reference.train(
            X,
            y,
            w,
            b,
            SGD(case.kwargs["learning_rate"]),
            case.kwargs["epochs"],
            case.kwargs["batch_size"],
        )
        expected = {"expected_w": np.asarray(trained_w), "expected_b": np.array(trained_b)}
    return random_twin(case, arrays, expected)


def _compare(received, expected, *, call: str, case: Case, source: str, mistakes) -> None:
    check_close(
        received,
        expected,
        call=call,
        case=describe_case(case),
        source=case.source or source,
        inputs=_input_words(case),
        tolerance=TOLERANCE,
        mistakes=mistakes,
    )


def test_predict_proba(student: Student) -> None:
    for case in student.cases("predict_proba"):
        X, _, w, b = _arrays(case)
        call = "predict_proba(X, w, b)"
        value = student.call("predict_proba", X, w, b, text=call).value
        received = as_float_array(
            value,
            call,
            case["expected"].shape,
            say("why.per_row"),
            [shaped("neuron_kept_column", (len(X), 1))],
        )
        _compare(
            received,
            case["expected"],
            call=call,
            case=case,
            source='keras.layers.Dense(1, activation="sigmoid")',
            mistakes=[
                gives("neuron_no_bias", lambda X=X, w=w: sigmoid(X @ w)),
                gives("neuron_no_sigmoid", lambda X=X, w=w, b=b: X @ w + b),
                gives("sigmoid_sign", lambda X=X, w=w, b=b: sigmoid(-(X @ w + b))),
            ],
        )


def test_loss(student: Student) -> None:
    for case in student.cases("loss"):
        X, y, w, b = _arrays(case)
        call = "loss(X, y, w, b)"
        value = student.call("loss", X, y, w, b, text=call).value
        received = as_float_array(
            value,
            call,
            (),
            say("why.mean"),
            [shaped("loss_not_averaged", (len(y),))],
        )
        _compare(
            received,
            case["expected"],
            call=call,
            case=case,
            source="keras.losses.BinaryCrossentropy()",
            mistakes=[
                not_finite("no_clipping"),
                gives(
                    "sum_instead_of_mean_over_samples",
                    lambda X=X, y=y, w=w, b=b: _loss(X, y, w, b, np.sum),
                ),
            ],
        )


def _pair(value: Any, call: str, words: str) -> tuple[Any, Any]:
    if not isinstance(value, list | tuple) or len(value) != 2:
        received = (
            say("words.a_value_of", type=type(value).__name__) if value is not None else "None"
        )
        raise Verdict(say("shape.wrong_tuple", call=call, received=received, expected=words))
    return value[0], value[1]


def test_gradients(student: Student) -> None:
    for case in student.cases("gradients"):
        X, y, w, b = _arrays(case)
        call = "gradients(X, y, w, b)"
        dw, db = _pair(student.call("gradients", X, y, w, b, text=call).value, call, "(dw, db)")
        dw = as_float_array(dw, f"{call}[0] (dw)", w.shape, say("why.like_w"))
        db = as_float_array(
            db,
            f"{call}[1] (db)",
            (),
            say("why.number"),
            [shaped("bias_gradient_not_averaged", y.shape)],
        )
        received = np.concatenate([dw, [db]])
        expected = np.concatenate([case["expected_dw"], [case["expected_db"]]])
        _compare(
            received,
            expected,
            call=say("words.as_list", call=call, items="[*dw, db]"),
            case=case,
            source=say("words.tape_source"),
            mistakes=[
                gives(
                    "gradient_sign", lambda X=X, y=y, w=w, b=b: _gradients(X, y, w, b, sign=-1.0)
                ),
                gives(
                    "gradient_not_averaged",
                    lambda X=X, y=y, w=w, b=b: _gradients(X, y, w, b, reduce=np.sum),
                ),
            ],
        )


TRAIN_ARGUMENTS = ("X", "y", "w", "b", "optimizer", "epochs", "batch_size")
"""``train``'s parameters, to name an input it changed in place."""


def _train_answer(student: Student, X, y, w, b, lr, epochs, batch_size):
    """The student's ``train`` with the grader's SGD: the call, w, b, the history, the answer,
    and how many steps the optimizer was asked for."""
    sgd = SGD(learning_rate=lr)
    call = f"train(X, y, w, b, SGD(learning_rate={lr}), epochs={epochs}, batch_size={batch_size})"
    optimizer = student.settle(student.submission.provide(sgd), call).value
    answer = student.submission.request("train", (X, y, w, b, optimizer, epochs, batch_size))
    value = student.settle(answer, call).value
    if not isinstance(value, list | tuple) or len(value) != 3:
        received = (
            say("words.a_value_of", type=type(value).__name__) if value is not None else "None"
        )
        raise Verdict(
            say("shape.wrong_tuple", call=call, received=received, expected="(w, b, history)")
        )
    new_w = as_float_array(value[0], f"{call}[0] (w)", w.shape, say("why.like_w"))
    new_b = as_float_array(value[1], f"{call}[1] (b)", (), say("why.number"))
    history = value[2]
    if not isinstance(history, list | tuple) or len(history) != epochs:
        raise Verdict(
            say(
                "shape.wrong_history",
                call=call,
                expected=epochs,
                received=len(history)
                if isinstance(history, list | tuple)
                else type(history).__name__,
            )
        )
    try:
        history = np.asarray(history, dtype=float)
    except (TypeError, ValueError):
        raise Verdict(
            say("shape.wrong_history", call=call, expected=epochs, received=describe(value[2]))
        ) from None
    steps = sgd.iterations
    return call, new_w, new_b, history, answer, steps


def test_train_matches_keras(student: Student) -> None:
    for case in student.cases("train_matches_keras"):
        X, y, w, b = _arrays(case)
        lr, epochs, batch_size = (case.kwargs[k] for k in ("learning_rate", "epochs", "batch_size"))
        call, new_w, new_b, history, answer, steps = _train_answer(
            student, X, y, w, b, lr, epochs, batch_size
        )
        if answer.modified:
            which = ", ".join(argument_name(label, TRAIN_ARGUMENTS) for label in answer.modified)
            raise Verdict(say("compare.modified", call=call, which=which))
        received = np.concatenate([new_w, [new_b]])
        expected = np.concatenate([case["expected_w"], [case["expected_b"]]])
        _compare(
            received,
            expected,
            call=say("words.as_list", call=call, items="[*w, b]"),
            case=case,
            source=say("words.fit_source"),
            mistakes=_train_mistakes(X, y, w, b, lr, epochs, batch_size),
        )
        batches = -(-len(y) // batch_size)
        if steps != epochs * batches:
            lines = [
                say(
                    "keras.wrong_value",
                    call=f"{call}: optimizer.step calls",
                    received=describe(steps),
                    expected=epochs * batches,
                )
            ]
            if steps == epochs:  # the evidence for one step per epoch on all samples
                lines.append(explain("train_full_batch"))
            raise Verdict.of(*lines)
        gold = [
            _own_loss(student, X, y, _train(X, y, w, b, lr, e, batch_size))
            for e in range(1, epochs + 1)
        ]
        if None in gold or history.shape != (epochs,):
            continue
        check_close(
            history,
            np.array(gold),
            call=f"{call}: history",
            case=describe_case(case),
            source=say("words.history_source"),
            inputs={},
            tolerance=TOLERANCE,
        )


def _own_loss(student: Student, X, y, params: np.ndarray) -> float | None:
    """The student's own ``loss`` at the given weights, so that a wrong loss costs points in
    ``test_loss`` only; None when their loss gives no number (then the history, made of
    those values, is left to ``test_loss``)."""
    w, b = params[:-1], float(params[-1])
    answer = student.submission.call("loss", X, y, w, b)
    value = answer.value
    if answer.error is None and isinstance(value, int | float | np.number):
        return float(value)
    return None


def _train_mistakes(X, y, w, b, lr, epochs, batch_size) -> list[Mistake]:
    return [
        gives(variant, lambda v=variant: _train(X, y, w, b, lr, epochs, batch_size, v))
        for variant in ("train_drops_last_batch", "train_full_batch", "train_bias_not_updated")
    ]


@cache
def _breast_cancer() -> tuple[np.ndarray, ...]:
    """Scaled breast-cancer data split 80/20 (stratified, seeded), from scikit-learn's copy."""
    from sklearn.datasets import load_breast_cancer
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = load_breast_cancer(return_X_y=True)
    X_train, X_test, y_train, y_test = train_test_split(
        X, y.astype(float), test_size=0.2, stratify=y, random_state=42
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_test), y_train, y_test


@cache
def _sklearn_accuracy() -> float:
    from sklearn.linear_model import SGDClassifier

    X_train, X_test, y_train, y_test = _breast_cancer()
    model = SGDClassifier(loss="log_loss", random_state=42).fit(X_train, y_train)
    return float(model.score(X_test, y_test))


def test_accuracy(student: Student) -> None:
    """Trained on the scaled breast-cancer data, the neuron classifies the held-out fifth about
    as well as scikit-learn's ``SGDClassifier(loss="log_loss")``; the judge computes both."""
    X_train, X_test, y_train, y_test = _breast_cancer()
    w0 = np.zeros(X_train.shape[1])
    call, w, b, *_ = _train_answer(student, X_train, y_train, w0, 0.0, 0.1, 30, 32)
    mine = float(np.mean((sigmoid(X_test @ w + b) >= 0.5) == y_test))
    gold = _sklearn_accuracy()
    if not np.isfinite(mine) or mine < gold - ACCURACY_MARGIN:
        raise Verdict(
            say(
                "compare.accuracy",
                call=call,
                received=mine,
                expected=gold,
                floor=gold - ACCURACY_MARGIN,
                data=say("words.held_out_cancer"),
                source='scikit-learn SGDClassifier(loss="log_loss")',
            )
        )
