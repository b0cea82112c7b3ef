"""The four optimizers' update rules in NumPy, right and in their common wrong variants.

The checks compare students with tf.keras's recorded trajectories; these rules only name a
mistake once a student's trajectory has left Keras's: if it matches a variant here, the
feedback says which mistake it is. Each step starts from the parameters the check passed
in (Keras's own trajectory), as the check does.
"""

from collections.abc import Sequence

import numpy as np

DEFAULTS: dict[str, dict[str, float | bool]] = {
    "SGD": {"learning_rate": 0.01, "momentum": 0.0, "nesterov": False},
    "Adagrad": {"learning_rate": 0.001, "initial_accumulator_value": 0.1, "epsilon": 1e-7},
    "RMSprop": {"learning_rate": 0.001, "rho": 0.9, "epsilon": 1e-7},
    "Adam": {"learning_rate": 0.001, "beta_1": 0.9, "beta_2": 0.999, "epsilon": 1e-7},
}

VARIANTS: dict[str, tuple[str, ...]] = {
    "SGD": ("gradient_ascent", "momentum_sign", "state_reset"),
    "Adagrad": ("adagrad_zero_accumulator", "state_reset"),
    "RMSprop": ("rmsprop_rho_swapped", "state_reset"),
    "Adam": ("adam_no_bias_correction", "state_reset"),
}
"""The wrong variants worth trying for each optimizer (``None`` is the right rule)."""


def _update(
    name: str, h: dict, state: dict, w: np.ndarray, g: np.ndarray, t: int, variant: str | None
) -> np.ndarray:
    lr = h["learning_rate"]
    if name == "SGD":
        if h["momentum"] == 0:
            return w + lr * g if variant == "gradient_ascent" else w - lr * g
        m = h["momentum"] * state.get("m", np.zeros_like(w)) - lr * g
        state["m"] = m
        if variant == "momentum_sign":
            return w - m
        return w + h["momentum"] * m - lr * g if h["nesterov"] else w + m
    if name == "Adagrad":
        start = 0.0 if variant == "adagrad_zero_accumulator" else h["initial_accumulator_value"]
        acc = state.get("acc", np.full_like(w, start)) + g**2
        state["acc"] = acc
        return w - lr * g / np.sqrt(acc + h["epsilon"])
    if name == "RMSprop":
        rho = 1 - h["rho"] if variant == "rmsprop_rho_swapped" else h["rho"]
        v = rho * state.get("v", np.zeros_like(w)) + (1 - rho) * g**2
        state["v"] = v
        return w - lr * g / np.sqrt(v + h["epsilon"])
    m = h["beta_1"] * state.get("m", np.zeros_like(w)) + (1 - h["beta_1"]) * g
    v = h["beta_2"] * state.get("v", np.zeros_like(w)) + (1 - h["beta_2"]) * g**2
    state["m"], state["v"] = m, v
    if variant == "adam_no_bias_correction":
        return w - lr * m / (np.sqrt(v) + h["epsilon"])
    m_hat, v_hat = m / (1 - h["beta_1"] ** t), v / (1 - h["beta_2"] ** t)
    return w - lr * m_hat / (np.sqrt(v_hat) + h["epsilon"])


def simulate(
    name: str,
    kwargs: dict,
    starts: Sequence[Sequence[np.ndarray]],
    grads: Sequence[Sequence[np.ndarray]],
    variant: str | None = None,
) -> list[list[np.ndarray]]:
    """The parameters each step returns, from ``starts[t]`` and ``grads[t]``.

    Args:
        name: ``"SGD"``, ``"Adagrad"``, ``"RMSprop"`` or ``"Adam"``.
        kwargs: the hyper-parameters given to the constructor (others take Keras's defaults).
        starts: the parameters passed to each step.
        grads: the gradients passed to each step.
        variant: ``None`` for the right rule, or one of ``VARIANTS[name]``.
    """
    h = {**DEFAULTS[name], **kwargs}
    states: list[dict] = [{} for _ in starts[0]]
    out = []
    for t, (params, step_grads) in enumerate(zip(starts, grads, strict=True), start=1):
        if variant == "state_reset":
            states = [{} for _ in params]
        out.append(
            [
                _update(name, h, s, w, g, t, variant)
                for s, w, g in zip(states, params, step_grads, strict=True)
            ]
        )
    return out
