"""Loss functions in NumPy, with the per-sample semantics of ``keras.losses``.

Each function returns one loss per sample: an array of shape ``y_pred.shape[:-1]`` (the last
axis is reduced, nothing else), like ``keras.losses.<name>(y_true, y_pred)`` called as a
function. Probabilities are clipped to ``[EPSILON, 1 - EPSILON]`` before the logarithm, as
Keras does, so that a prediction of exactly 0 or 1 gives a large but finite loss.
"""

import numpy as np

EPSILON = 1e-7
"""Keras's ``keras.config.epsilon()``."""


def binary_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Binary crossentropy, mean over the last axis.

    ```
    p = clip(y_pred, EPSILON, 1 - EPSILON)
    loss = mean(-(y_true * log(p) + (1 - y_true) * log(1 - p)), axis=-1)
    ```
    Args:
        y_true: targets, 0 or 1, same shape as ``y_pred``.
        y_pred: predicted probabilities, shape ``(..., k)``.
    Returns:
        Array of shape ``y_pred.shape[:-1]``.
    """
    # TODO: write the formula above in NumPy.
    raise NotImplementedError


def categorical_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Categorical crossentropy with one-hot targets.

    ```
    p = clip(y_pred / sum(y_pred, axis=-1), EPSILON, 1 - EPSILON)
    loss = -sum(y_true * log(p), axis=-1)
    ```
    Args:
        y_true: one-hot targets, same shape as ``y_pred``.
        y_pred: predicted class probabilities, shape ``(..., classes)``.
    Returns:
        Array of shape ``y_pred.shape[:-1]``.
    """
    # TODO: write the formula above in NumPy.
    raise NotImplementedError


def sparse_categorical_crossentropy(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Categorical crossentropy with integer class labels.

    ```
    p = clip(y_pred, EPSILON, 1 - EPSILON)
    loss[i] = -log(p[i, y_true[i]])
    ```
    Args:
        y_true: integer labels, shape ``y_pred.shape[:-1]``.
        y_pred: predicted class probabilities, shape ``(..., classes)``.
    Returns:
        Array of shape ``y_pred.shape[:-1]``.
    """
    # TODO: write the formula above in NumPy.
    raise NotImplementedError


def mean_squared_error(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Mean squared error over the last axis.

    ```
    loss = mean((y_true - y_pred)**2, axis=-1)
    ```
    Returns:
        Array of shape ``y_pred.shape[:-1]``.
    """
    # TODO: write the formula above in NumPy.
    raise NotImplementedError


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex02_losses")
