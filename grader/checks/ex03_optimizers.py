"""Checks of ex03_optimizers: 20 steps of each optimizer against ``keras.optimizers``.

Each case gives the student's optimizer the same parameters and gradients that tf.keras's
optimizer was given (float64 variables, several shapes at once) and compares every step's
update with Keras's. Updates are held to 1e-4 relative: tight enough to catch every mistake
named in ``grader/optimizer_rules.py``, loose enough for the float32 rounding of Keras's
hyper-parameters and for epsilon written inside or outside the square root.
"""

from typing import Any

import numpy as np

from grader.cases import Case, cases_for
from grader.feedback import Mistake, Tolerance, Verdict, as_float_array, check_close, gives, say
from grader.optimizer_rules import DEFAULTS, VARIANTS, simulate
from grader.student import Student, call_text

EXERCISE = "ex03_optimizers"
UPDATE_TOLERANCE = Tolerance(rtol=1e-4, atol=1e-12)


def _steps(case: Case) -> int:
    return sum(1 for name in case.arrays if name.startswith("expected.") and name.endswith(".0"))


def _params(case: Case, prefix: str) -> list[np.ndarray]:
    count = sum(1 for name in case.arrays if name.startswith("params."))
    return [case[f"{prefix}.{i}"] for i in range(count)]


def _trajectory(
    case: Case,
) -> tuple[list[list[np.ndarray]], list[list[np.ndarray]], list[list[np.ndarray]]]:
    """What each step is given (parameters, gradients) and what Keras returned."""
    steps = _steps(case)
    expected = [_params(case, f"expected.{t}") for t in range(steps)]
    starts = [_params(case, "params"), *expected[:-1]]
    grads = [_params(case, f"grads.{t}") for t in range(steps)]
    return starts, grads, expected


def _mistakes(case: Case, starts, grads, upto: int) -> list[Mistake]:
    """Known wrong rules, each compared over the steps taken so far."""

    def flat(trajectory: list[list[np.ndarray]]) -> np.ndarray:
        return np.concatenate([w.ravel() for step in trajectory[:upto] for w in step])

    name, kwargs = case.function, case.kwargs
    found = [
        gives(variant, lambda v=variant: flat(simulate(name, kwargs, starts, grads, v)))
        for variant in VARIANTS[name]
    ]
    for key, value in kwargs.items():
        if value != DEFAULTS[name][key]:
            ignored = {k: v for k, v in kwargs.items() if k != key}
            found.append(
                gives(
                    "ignored_hyperparameter",
                    lambda i=ignored: flat(simulate(name, i, starts, grads)),
                    name=key,
                    value=value,
                )
            )
    if case.check == "optimizer_defaults":
        found.append(Mistake("wrong_default", lambda received: True))
    return found


def _received_step(value: Any, call: str, expected: list[np.ndarray]) -> list[np.ndarray]:
    if not isinstance(value, list | tuple):
        raise Verdict(say("shape.wrong_type", call=call, received=_words(value)))
    if len(value) != len(expected):
        raise Verdict(
            say("shape.wrong_length", call=call, received=len(value), expected=len(expected))
        )
    return [
        as_float_array(w, call, e.shape, "the shape of the parameter it updates")
        for w, e in zip(value, expected, strict=True)
    ]


def _words(value: Any) -> str:
    return "None" if value is None else f"a {type(value).__name__}"


def _run_case(student: Student, case: Case) -> None:
    starts, grads, expected = _trajectory(case)
    handle = student.create(case.function, **case.kwargs)
    call = f"{call_text(case.function, [], case.kwargs)}.step(params, grads)"
    received: list[list[np.ndarray]] = []
    for t, (params, step_grads, gold) in enumerate(zip(starts, grads, expected, strict=True)):
        answer = student.call_method(handle, "step", params, step_grads, text=call)
        mine = _received_step(answer.value, call, gold)
        received.append(mine)
        for i, (w, m, g) in enumerate(zip(params, mine, gold, strict=True)):
            try:
                check_close(
                    m - w,
                    g - w,
                    call=call,
                    case=case.description,
                    source=f"keras.optimizers.{case.function}",
                    inputs={"params[" + str(i) + "]": w, "grads[" + str(i) + "]": step_grads[i]},
                    tolerance=UPDATE_TOLERANCE,
                    where=say(
                        "compare.step", step=t + 1, steps=len(expected), param=i, shape=w.shape
                    ),
                )
            except Verdict as verdict:
                flat_mine = np.concatenate([w.ravel() for step in received for w in step])
                extra = [
                    m.explain()
                    for m in _mistakes(case, starts, grads, t + 1)
                    if m.matches(flat_mine)
                ][:1]
                raise Verdict("\n".join([verdict.message, *extra])) from None


def _check_all(student: Student, check: str) -> None:
    for case in cases_for(EXERCISE, check):
        _run_case(student, case)


def test_sgd(student: Student) -> None:
    _check_all(student, "sgd")


def test_sgd_momentum(student: Student) -> None:
    _check_all(student, "sgd_momentum")


def test_sgd_nesterov(student: Student) -> None:
    _check_all(student, "sgd_nesterov")


def test_adagrad(student: Student) -> None:
    _check_all(student, "adagrad")


def test_rmsprop(student: Student) -> None:
    _check_all(student, "rmsprop")


def test_adam(student: Student) -> None:
    _check_all(student, "adam")


def test_optimizer_defaults(student: Student) -> None:
    _check_all(student, "optimizer_defaults")


def test_iterations(student: Student) -> None:
    """``iterations`` is 0 after construction and counts every call of ``step``."""
    case = cases_for(EXERCISE, "adam")[0]
    starts, grads, _ = _trajectory(case)
    for name in DEFAULTS:
        handle = student.create(name)
        for t in range(4):
            if t:
                student.call_method(
                    handle, "step", starts[t], grads[t], text=f"{name}().step(params, grads)"
                )
            count = student.attribute(handle, "iterations")
            if not isinstance(count, int | float | np.integer | np.floating) or count != t:
                raise Verdict(
                    "\n".join(
                        [
                            say(
                                "shape.not_int",
                                call=f"{name}().iterations after {t} calls of step",
                                received=_words(count)
                                if not isinstance(count, int | float)
                                else count,
                                expected=t,
                            ),
                            Mistake("iterations_not_counted", lambda r: True).explain(),
                        ]
                    )
                )


def test_inputs_unmodified(student: Student) -> None:
    calls = []
    for name in DEFAULTS:
        case = next(c for c in cases_for(EXERCISE, "optimizer_defaults") if c.function == name)
        starts, grads, _ = _trajectory(case)
        handle = student.create(name)
        calls.append((handle, name, [w.copy() for w in starts[0]], [g.copy() for g in grads[0]]))
    to_do = []
    for handle, name, params, grads in calls:
        answer = student.submission.call_method(handle, "step", params, grads)
        if answer.error is not None and answer.error.kind == "not_attempted":
            to_do.append(f"{name}.step")
            continue
        text = f"{name}().step(params, grads)"
        student.call_method(handle, "step", params, grads, text=text)
        if answer.modified:
            raise Verdict(say("compare.modified", call=text, which=", ".join(answer.modified)))
    if to_do:
        raise Verdict(
            say("status.not_attempted", call=", ".join(to_do), file="optimizers.py"),
            "not_attempted",
        )
