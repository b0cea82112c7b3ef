"""The four optimizers' update rules in NumPy: Keras's, the other forms the checks accept, and
the common wrong variants.

The checks compare students with tf.keras's recorded trajectories; these rules name a mistake
once a student's trajectory has left Keras's (if it matches a variant here, the feedback says
which mistake it is) and give the tolerance its terms: how much the updates move with the
hyper-parameters Keras rounds to float32, and how much the accepted places of epsilon differ.
Each step starts from the parameters the check passed in (Keras's own trajectory), as the
check does.
"""

from collections.abc import Callable, Sequence

import numpy as np

DEFAULTS: dict[str, dict[str, float | bool]] = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}

VARIANTS: dict[str, tuple[str, ...]] = {
    "SGD": ("gradient_ascent", "momentum_sign", "state_reset", "zero_gradient_skipped"),
    "Adagrad": (
        "adagrad_zero_accumulator",
        "state_reset",
        "epsilon_left_out",
        "zero_gradient_skipped",
    ),
    "RMSprop": ("rmsprop_rho_swapped", "state_reset", "epsilon_left_out", "zero_gradient_skipped"),
    "Adam": (
        "adam_no_bias_correction",
        "state_reset",
        "adam_t_from_zero",
        "epsilon_left_out",
        "zero_gradient_skipped",
    ),
}
"""The wrong variants worth trying for each optimizer (``None`` is the right rule)."""

EPSILON_PLACEMENTS: dict[str, tuple[str, ...]] = {
    "SGD": (),
    "Adagrad": ("epsilon_outside_root", "epsilon_left_out"),
    "RMSprop": ("epsilon_outside_root", "epsilon_left_out"),
    "Adam": ("adam_textbook", "adam_epsilon_inside_root", "epsilon_left_out"),
}
"""Other places of epsilon. The checks accept epsilon inside or outside the root (and Adam's
textbook form), so they cannot tell updates apart by less than these differ from Keras's;
leaving epsilon out differs from it by no more than that, except where the state is 0 and
epsilon is all that stands between the update and 0 / 0."""

SECOND_USES: dict[str, dict[str, str]] = {
    "RMSprop": {"rho": "1 - rho"},
    "Adam": {"beta_1": "beta_1**t", "beta_2": "beta_2**t"},
}
"""Hyper-parameters with a second use, by the key that sets that use alone. Keras rounds some
uses to float32 and not others (Adam's ``beta**t`` but not its ``1 - beta``), and a change
that cancels between two uses does not cancel then: ``float32_sensitivity`` changes each use
on its own."""

STEP = 1e-6
"""Relative change of a hyper-parameter for the central differences of ``float32_sensitivity``."""

Trajectory = list[list[np.ndarray]]


def _divided(g: np.ndarray, square: np.ndarray, epsilon: float, variant: str | None):
    """``g / sqrt(square + epsilon)``, or with epsilon outside the root, or left out."""
    if variant == "epsilon_outside_root":
        return g / (np.sqrt(square) + epsilon)
    if variant == "epsilon_left_out":
        return g / np.sqrt(square)
    return g / np.sqrt(square + epsilon)


def _sgd(h: dict, state: dict, w: np.ndarray, g: np.ndarray, t: int, variant: str | None):
    """```
    momentum == 0:  w = w - learning_rate * g
    momentum > 0:   m = momentum * m - learning_rate * g;  w = w + m
    nesterov:       w = w + momentum * m - learning_rate * g   (with the new m)
    ```
    Wrong: ``gradient_ascent`` (w + learning_rate * g), ``momentum_sign`` (w - m)."""
    lr = h["learning_rate"]
    if h["momentum"] == 0:
        return w + lr * g if variant == "gradient_ascent" else w - lr * g
    m = h["momentum"] * state.get("m", np.zeros_like(w)) - lr * g
    state["m"] = m
    if variant == "momentum_sign":
        return w - m
    return w + h["momentum"] * m - lr * g if h["nesterov"] else w + m


def _adagrad(h: dict, state: dict, w: np.ndarray, g: np.ndarray, t: int, variant: str | None):
    """```
    acc = acc + g**2        (acc starts at initial_accumulator_value)
    w = w - learning_rate * g / sqrt(acc + epsilon)
    ```
    Wrong: ``adagrad_zero_accumulator`` (acc starts at 0), ``epsilon_left_out``."""
    start = 0.0 if variant == "adagrad_zero_accumulator" else h["initial_accumulator_value"]
    acc = state.get("acc", np.full_like(w, start)) + g**2
    state["acc"] = acc
    return w - h["learning_rate"] * _divided(g, acc, h["epsilon"], variant)


def _rmsprop(h: dict, state: dict, w: np.ndarray, g: np.ndarray, t: int, variant: str | None):
    """```
    v = rho * v + (1 - rho) * g**2        (v starts at 0)
    w = w - learning_rate * g / sqrt(v + epsilon)
    ```
    Wrong: ``rmsprop_rho_swapped`` (v = (1 - rho) * v + rho * g**2), ``epsilon_left_out``."""
    rho, other = h["rho"], h.get("1 - rho", h["rho"])
    if variant == "rmsprop_rho_swapped":
        rho, other = 1 - rho, 1 - other
    v = rho * state.get("v", np.zeros_like(w)) + (1 - other) * g**2
    state["v"] = v
    return w - h["learning_rate"] * _divided(g, v, h["epsilon"], variant)


def _adam(h: dict, state: dict, w: np.ndarray, g: np.ndarray, t: int, variant: str | None):
    """Keras's form, and the textbook one (``adam_textbook``):
    ```
    m = beta_1 * m + (1 - beta_1) * g;  v = beta_2 * v + (1 - beta_2) * g**2   (from 0)
    Keras:     alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)
               w = w - alpha * m / (sqrt(v) + epsilon)
    textbook:  w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
               m_hat = m / (1 - beta_1**t),  v_hat = v / (1 - beta_2**t)
    ```
    ``adam_epsilon_inside_root`` and ``epsilon_left_out`` are the textbook form with
    ``sqrt(v_hat + epsilon)`` and ``sqrt(v_hat)``. Wrong: ``adam_no_bias_correction``
    (m and v for m_hat and v_hat), ``adam_t_from_zero`` (the textbook form with t - 1: the
    first step divides by 1 - beta**0 = 0), ``epsilon_left_out``."""
    b1, b2, lr, eps = h["beta_1"], h["beta_2"], h["learning_rate"], h["epsilon"]
    p1, p2 = h.get("beta_1**t", b1), h.get("beta_2**t", b2)
    m = b1 * state.get("m", np.zeros_like(w)) + (1 - b1) * g
    v = b2 * state.get("v", np.zeros_like(w)) + (1 - b2) * g**2
    state["m"], state["v"] = m, v
    if variant == "adam_no_bias_correction":
        return w - lr * m / (np.sqrt(v) + eps)
    if variant in ("adam_textbook", "adam_epsilon_inside_root", "epsilon_left_out"):
        m_hat, v_hat = m / (1 - p1**t), v / (1 - p2**t)
        root = {
            "adam_textbook": np.sqrt(v_hat) + eps,
            "adam_epsilon_inside_root": np.sqrt(v_hat + eps),
            "epsilon_left_out": np.sqrt(v_hat),
        }[variant]
        return w - lr * m_hat / root
    if variant == "adam_t_from_zero":
        m_hat, v_hat = m / (1 - p1 ** (t - 1)), v / (1 - p2 ** (t - 1))
        return w - lr * m_hat / (np.sqrt(v_hat) + eps)
    alpha = lr * np.sqrt(1 - p2**t) / (1 - p1**t)
    return w - alpha * m / (np.sqrt(v) + eps)


_UPDATES: dict[str, Callable[..., np.ndarray]] = {
    "SGD": _sgd,
    "Adagrad": _adagrad,
    "RMSprop": _rmsprop,
    "Adam": _adam,
}


def simulate(
    name: str,
    kwargs: dict,
    starts: Sequence[Sequence[np.ndarray]],
    grads: Sequence[Sequence[np.ndarray]],
    variant: str | None = None,
) -> Trajectory:
    """The parameters each step returns, from ``starts[t]`` and ``grads[t]``.

    Args:
        name: ``"SGD"``, ``"Adagrad"``, ``"RMSprop"`` or ``"Adam"``.
        kwargs: the hyper-parameters given to the constructor (others take Keras's defaults).
        starts: the parameters passed to each step.
        grads: the gradients passed to each step.
        variant: ``None`` for Keras's rule, one of ``VARIANTS[name]`` or of
            ``EPSILON_PLACEMENTS[name]``. Two apply to every optimizer: ``state_reset`` (the
            state made anew at every step) and ``zero_gradient_skipped`` (a parameter whose
            gradient is all zero is returned as it was and its state left alone, where Keras
            still decays the state and lets momentum move it).
    """
    h = {**DEFAULTS[name], **kwargs}
    update = _UPDATES[name]
    states: list[dict] = [{} for _ in starts[0]]
    out = []
    with np.errstate(all="ignore"):
        for t, (params, step_grads) in enumerate(zip(starts, grads, strict=True), start=1):
            if variant == "state_reset":
                states = [{} for _ in params]
            out.append(
                [
                    w
                    if variant == "zero_gradient_skipped" and not np.any(g)
                    else update(h, s, w, g, t, variant)
                    for s, w, g in zip(states, params, step_grads, strict=True)
                ]
            )
    return out


def float32_sensitivity(
    name: str,
    kwargs: dict,
    starts: Sequence[Sequence[np.ndarray]],
    grads: Sequence[Sequence[np.ndarray]],
) -> Trajectory:
    """``sum_u |h_u * d update / d h_u|`` for each step's update, over every use ``u`` of every
    hyper-parameter (all but ``nesterov``; ``SECOND_USES`` lists the second uses), by central
    differences: how much the update moves per relative change of the values Keras keeps in
    float32."""
    h = {**DEFAULTS[name], **kwargs}
    total = [[np.zeros_like(w) for w in params] for params in starts]
    for key, value in h.items():
        if isinstance(value, bool) or value == 0:
            continue
        uses = (key, *([SECOND_USES[name][key]] if key in SECOND_USES.get(name, {}) else []))
        for use in uses:
            up, down = (
                simulate(
                    name,
                    {**kwargs, **dict.fromkeys(uses, value), use: value * (1 + sign * STEP)},
                    starts,
                    grads,
                )
                for sign in (1, -1)
            )
            for step, ups, downs in zip(total, up, down, strict=True):
                for i, (a, b) in enumerate(zip(ups, downs, strict=True)):
                    step[i] = step[i] + np.abs(a - b) / (2 * STEP)
    return total


def epsilon_allowance(
    name: str,
    kwargs: dict,
    starts: Sequence[Sequence[np.ndarray]],
    grads: Sequence[Sequence[np.ndarray]],
) -> Trajectory:
    """For each step's update, the most any of ``EPSILON_PLACEMENTS[name]`` differs from
    Keras's rule, where both are finite (0 where epsilon alone avoids 0 / 0)."""
    rule = simulate(name, kwargs, starts, grads)
    most = [[np.zeros_like(w) for w in step] for step in rule]
    for placement in EPSILON_PLACEMENTS[name]:
        other = simulate(name, kwargs, starts, grads, placement)
        for step, mine, theirs in zip(most, other, rule, strict=True):
            for i, (a, b) in enumerate(zip(mine, theirs, strict=True)):
                with np.errstate(all="ignore"):
                    step[i] = np.maximum(step[i], np.nan_to_num(np.abs(a - b), nan=0.0, posinf=0.0))
    return most
