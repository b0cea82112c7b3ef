"""Checks of ex03_optimizers: 20 steps of each optimizer against ``keras.optimizers``.

Each case gives the student's optimizer the same parameters and gradients that tf.keras's
optimizer was given (float64 variables, several shapes at once) and compares every step's
update with Keras's, within the rounding error it can have (``update_tolerance``).
"""

from functools import partial
from types import ModuleType
from typing import Any

import numpy as np

from grader.judge.cases import Case, cases_for, describe_case
from grader.judge.optimizer_rules import (
    DEFAULTS,
    VARIANTS,
    epsilon_allowance,
    float32_sensitivity,
    simulate,
)
from grader.judge.reference import random_twin
from grader.judge.student import Student, call_text
from grader.judge.verdict import (
    Mistake,
    Rounding,
    Verdict,
    as_float_array,
    check_close,
    describe,
    explain,
    first_mistake,
    gives,
)
from grader.words import say

EXERCISE = "ex03_optimizers"


Steps = list[list[np.ndarray]]
"""One list of arrays per step, one array per parameter."""


def trajectory_arrays(
    params: list[np.ndarray], grads: Steps, expected: Steps
) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """A run of ``len(grads)`` steps as a case's arrays: the inputs ``params.<i>`` (where the
    run starts) and ``grads.<t>.<i>``, and the expected ``expected.<t>.<i>`` (the parameters
    step ``t`` returned). The one encoder: ``_trajectory`` is its decoder."""
    inputs = {f"params.{i}": w for i, w in enumerate(params)}
    outputs = {}
    for t, (step_grads, step_expected) in enumerate(zip(grads, expected, strict=True)):
        for i, (g, w) in enumerate(zip(step_grads, step_expected, strict=True)):
            inputs[f"grads.{t}.{i}"] = g
            outputs[f"expected.{t}.{i}"] = w
    return inputs, outputs


def _steps(case: Case) -> int:
    return sum(1 for name in case.arrays if name.startswith("expected.") and name.endswith(".0"))


def _params(case: Case, prefix: str) -> list[np.ndarray]:
    count = sum(1 for name in case.arrays if name.startswith("params."))
    return [case[f"{prefix}.{i}"] for i in range(count)]


def _trajectory(case: Case) -> tuple[Steps, Steps, Steps]:
    """What each step is given (parameters, gradients) and what Keras returned: the decoder of
    ``trajectory_arrays``."""
    steps = _steps(case)
    expected = [_params(case, f"expected.{t}") for t in range(steps)]
    starts = [_params(case, "params"), *expected[:-1]]
    grads = [_params(case, f"grads.{t}") for t in range(steps)]
    return starts, grads, expected


def reference_case(case: Case, rng: np.random.Generator, reference: ModuleType) -> Case:
    """New parameters and gradients of the same shapes, the gradients zero where the recorded
    ones are (a zero-gradient case keeps its zeros); the reference optimizer's steps."""
    starts, grads, _ = _trajectory(case)
    params = [rng.standard_normal(w.shape) for w in starts[0]]
    new_grads = [
        [
            np.where(g == 0, 0.0, rng.uniform(0.2, 2.0, size=g.shape))
            * rng.choice([-1.0, 1.0], size=g.shape)
            for g in step
        ]
        for step in grads
    ]
    optimizer = getattr(reference, case.function)(**case.kwargs)
    current, returned = params, []
    for step_grads in new_grads:
        current = [np.array(w) for w in optimizer.step([w.copy() for w in current], step_grads)]
        returned.append(current)
    return random_twin(case, *trajectory_arrays(params, new_grads, returned))


COMMON_WRONG_DEFAULTS: dict[str, tuple[float, ...]] = {
    "learning_rate": (0.1, 0.01, 0.001),
    "momentum": (0.9,),
    "epsilon": (1e-8, 1e-6),
    "rho": (0.99, 0.95),
    "beta_1": (0.99,),
    "beta_2": (0.99, 0.9),
    "initial_accumulator_value": (0.01,),
}
"""Defaults students write from other libraries or textbooks, tried by the defaults check."""


def update_tolerance(case: Case, starts, grads, expected) -> list[list[Rounding]]:
    """The tolerance of each step's update of each parameter: ``Rounding`` for float64, with

    ```
    sensitivity          |w|          (the new w = w + update is rounded at the scale of w)
    float32_sensitivity  sum_h |h * d update / d h| over the hyper-parameters h
    allowance            the most an accepted place of epsilon changes the update
    ```
    Keras keeps the hyper-parameters in float32 (so an exact float64 Adam differs from it by
    about 1e-5 relative on the first steps), and the checks accept epsilon inside or outside
    the root; both are computed by ``grader.judge.optimizer_rules`` on the case itself.
    """
    sensitive = float32_sensitivity(case.function, case.kwargs, starts, grads)
    allowed = epsilon_allowance(case.function, case.kwargs, starts, grads)
    return [
        [
            Rounding(
                str(gold.dtype),
                np.abs(w),
                float32_sensitivity=s,
                allowance=a,
                allowance_reason="epsilon",
                at=("update", np.abs(gold - w)),
            )
            for w, gold, s, a in zip(params, golds, step_s, step_a, strict=True)
        ]
        for params, golds, step_s, step_a in zip(starts, expected, sensitive, allowed, strict=True)
    ]


def _first_step_not_finite(starts) -> Mistake:
    """``adam_t_from_zero`` as it shows when its code differs from the simulated variant: every
    element of the first step's parameters is inf or nan (the division by 1 - beta**0)."""
    size = sum(w.size for w in starts[0])
    return Mistake(
        "adam_t_from_zero", lambda received: not bool(np.any(np.isfinite(received[:size])))
    )


def _mistakes(case: Case, starts, grads) -> list[Mistake]:
    """Known wrong rules, each run over the whole case: ignored hyper-parameters first (they
    can look like a variant on simple cases), then the optimizer's wrong variants."""

    def flat(trajectory: list[list[np.ndarray]]) -> np.ndarray:
        return np.concatenate([w.ravel() for step in trajectory for w in step])

    def run(kwargs: dict, variant: str | None = None) -> np.ndarray:
        return flat(simulate(name, kwargs, starts, grads, variant))

    name, kwargs = case.function, case.kwargs
    found = []
    for key, value in kwargs.items():
        if value != DEFAULTS[name][key]:
            ignored = {k: v for k, v in kwargs.items() if k != key}
            found.append(
                gives("ignored_hyperparameter", lambda i=ignored: run(i), name=key, value=value)
            )
    found += [gives(variant, lambda v=variant: run(kwargs, v)) for variant in VARIANTS[name]]
    if case.check == "optimizer_defaults":
        found += [
            gives(
                "wrong_default",
                lambda k=key, w=wrong: run({k: w}),
                name=key,
                value=wrong,
                default=default,
            )
            for key, default in DEFAULTS[name].items()
            for wrong in COMMON_WRONG_DEFAULTS.get(key, ())
            if wrong != default
        ]
    return [*found, _first_step_not_finite(starts)] if name == "Adam" else found


def _received_step(value: Any, call: str, expected: list[np.ndarray]) -> list[np.ndarray]:
    if value is None:
        raise Verdict(say("shape.none", call=call))
    if not isinstance(value, list | tuple):
        raise Verdict(say("shape.wrong_step", call=call, received=describe(value)))
    if len(value) != len(expected):
        raise Verdict(
            say("shape.wrong_length", call=call, received=len(value), expected=len(expected))
        )
    return [
        as_float_array(w, call, e.shape, say("why.like_param"))
        for w, e in zip(value, expected, strict=True)
    ]


def run_case(student: Student, case: Case) -> None:
    """All steps first, each from Keras's parameters; then the first step that differs.

    A case holds ``params.<i>`` (the parameters before the first step), ``grads.<t>.<i>`` and
    ``expected.<t>.<i>`` (the parameters after step ``t``); hidden checks build such cases too.
    """
    starts, grads, expected = _trajectory(case)
    tolerances = update_tolerance(case, starts, grads, expected)
    handle = student.create(case.function, **case.kwargs)
    call = f"{call_text(case.function, [], case.kwargs)}.step(params, grads)"
    received = [
        _received_step(
            student.call_method(handle, "step", params, step_grads, text=call).value, call, gold
        )
        for params, step_grads, gold in zip(starts, grads, expected, strict=True)
    ]
    for t, (params, step_grads, mine, gold, allowed) in enumerate(
        zip(starts, grads, received, expected, tolerances, strict=True)
    ):
        for i, (w, m, g, tolerance) in enumerate(zip(params, mine, gold, allowed, strict=True)):
            try:
                check_close(
                    m - w,
                    g - w,
                    call=call,
                    case=describe_case(case),
                    source=case.source or f"keras.optimizers.{case.function}",
                    inputs={f"params[{i}]": w, f"grads[{i}]": step_grads[i]},
                    tolerance=tolerance,
                    where=say(
                        "compare.step", step=t + 1, steps=len(expected), param=i, shape=w.shape
                    ),
                )
            except Verdict as verdict:
                flat_mine, flat_gold = (
                    np.concatenate([w.ravel() for step in trajectory for w in step])
                    for trajectory in (received, expected)
                )
                named = first_mistake(flat_mine, _mistakes(case, starts, grads), flat_gold)
                raise Verdict.of(verdict, *named) from None


def _check_all(student: Student, check: str) -> None:
    for case in student.cases(check):
        run_case(student, case)


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
                mistake = (
                    "iterations_counted_twice"
                    if t and count == 2 * t
                    else "iterations_not_counted"
                    if count == 0
                    else "iterations_miscounted"
                )
                call = say("words.iterations_after", optimizer=name, calls=t)
                raise Verdict.of(
                    say("shape.not_int", call=call, received=describe(count), expected=t),
                    explain(mistake),
                )


def test_inputs_unmodified(student: Student) -> None:
    """``step`` returns new arrays and leaves ``params`` and ``grads`` as they were."""
    calls = []
    for case in cases_for(EXERCISE, "optimizer_defaults"):
        starts, grads, _ = _trajectory(case)
        handle = student.create(case.function)
        params = [w.copy() for w in starts[0]]
        gradients = [g.copy() for g in grads[0]]
        step = partial(student.submission.call_method, handle, "step", params, gradients)
        calls.append((f"{case.function}().step(params, grads)", ["params", "grads"], step))
    student.expect_inputs_untouched(calls)
