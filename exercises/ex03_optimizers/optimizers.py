"""Gradient-descent optimizers in NumPy, with tf.keras's update rules and defaults.

Every optimizer has the same shape:

- ``__init__`` stores the hyper-parameters and sets ``iterations = 0``;
- ``step(params, grads)`` takes a list of parameter arrays and the list of their gradients
  (same length, same shapes, shapes may differ between parameters), returns the list of
  updated parameter arrays, and adds 1 to ``iterations``. It never modifies its inputs.
  State (velocity, accumulators, moments) is kept per parameter, by position in the list,
  and created on the first call. Every parameter is updated at every step, also one whose
  gradient is all zero (its state still decays, and momentum still moves it).
"""

import numpy as np


class SGD:
    """Stochastic gradient descent, with optional momentum, like ``keras.optimizers.SGD``.

    ```
    momentum == 0:   w = w - learning_rate * g
    momentum > 0:    m = momentum * m - learning_rate * g        (m starts at 0)
                     w = w + m
    nesterov=True:   w = w + momentum * m - learning_rate * g    (with the new m)
    ```
    The notes' "momentum optimizer" is ``SGD(momentum=0.9)``; the textbook form
    ``v = momentum * v + learning_rate * g; w = w - v`` is the same rule with ``v = -m``.

    Args:
        learning_rate: step size. Defaults to 0.01.
        momentum: how much of the previous step to keep, in [0, 1). Defaults to 0.0.
        nesterov: use Nesterov momentum. Defaults to False.
    """

    def __init__(self, learning_rate: float = 0.01, momentum: float = 0.0, nesterov: bool = False):
        # TODO: store the arguments as attributes and set self.iterations = 0.
        raise NotImplementedError

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        # TODO: create the per-parameter state on the first call, count the step, apply the rule.
        raise NotImplementedError


class Adagrad:
    """Adagrad, like ``keras.optimizers.Adagrad``.

    ```
    acc = acc + g**2                                   (acc starts at initial_accumulator_value)
    w = w - learning_rate * g / sqrt(acc + epsilon)
    ```
    Writing ``sqrt(acc) + epsilon`` instead is accepted: it differs by far less than the
    checks' tolerance. Starting ``acc`` at zero is not: Keras starts it at 0.1. Leaving epsilon
    out is not either: with ``initial_accumulator_value=0`` a zero gradient gives 0 / 0.

    Args:
        learning_rate: step size. Defaults to 0.001.
        initial_accumulator_value: starting value of ``acc``. Defaults to 0.1.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        initial_accumulator_value: float = 0.1,
        epsilon: float = 1e-7,
    ):
        # TODO: store the arguments as attributes and set self.iterations = 0.
        raise NotImplementedError

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        # TODO: create the per-parameter state on the first call, count the step, apply the rule.
        raise NotImplementedError


class RMSprop:
    """RMSprop, like ``keras.optimizers.RMSprop`` (no momentum, not centered).

    ```
    v = rho * v + (1 - rho) * g**2                     (v starts at 0)
    w = w - learning_rate * g / sqrt(v + epsilon)
    ```
    Writing ``sqrt(v) + epsilon`` instead is accepted; leaving epsilon out is not: where the
    gradient has been zero from the start, ``v`` is 0 and ``g / sqrt(v)`` is 0 / 0.

    Args:
        learning_rate: step size. Defaults to 0.001.
        rho: decay of the moving average of squared gradients. Defaults to 0.9.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
    """

    def __init__(self, learning_rate: float = 0.001, rho: float = 0.9, epsilon: float = 1e-7):
        # TODO: store the arguments as attributes and set self.iterations = 0.
        raise NotImplementedError

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        # TODO: create the per-parameter state on the first call, count the step, apply the rule.
        raise NotImplementedError


class Adam:
    """Adam, like ``keras.optimizers.Adam``.

    ```
    t = t + 1                                          (t counts steps from 1)
    m = beta_1 * m + (1 - beta_1) * g                  (m, v start at 0)
    v = beta_2 * v + (1 - beta_2) * g**2
    m_hat = m / (1 - beta_1**t)
    v_hat = v / (1 - beta_2**t)
    w = w - learning_rate * m_hat / (sqrt(v_hat) + epsilon)
    ```
    Keras folds the bias correction into the step size,
    ``alpha = learning_rate * sqrt(1 - beta_2**t) / (1 - beta_1**t)``,
    ``w = w - alpha * m / (sqrt(v) + epsilon)``; both forms are accepted (they differ only in
    where epsilon sits). Leaving out the bias correction is not, nor leaving out epsilon (0 / 0
    while a gradient has been zero from the start).

    Args:
        learning_rate: step size. Defaults to 0.001.
        beta_1: decay of the first moment. Defaults to 0.9.
        beta_2: decay of the second moment. Defaults to 0.999.
        epsilon: small constant for numerical stability. Defaults to 1e-7.
    """

    def __init__(
        self,
        learning_rate: float = 0.001,
        beta_1: float = 0.9,
        beta_2: float = 0.999,
        epsilon: float = 1e-7,
    ):
        # TODO: store the arguments as attributes and set self.iterations = 0.
        raise NotImplementedError

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        # TODO: create the per-parameter state on the first call, count the step, apply the rule.
        raise NotImplementedError


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex03_optimizers")
