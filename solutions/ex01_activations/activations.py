"""Activation functions and their derivatives, in NumPy.

Every function takes an array of any shape (0-d to n-d, float32 or float64), returns a new
float array of the same shape, and leaves its input untouched. Results stay finite and exact
for inputs as large as 1e4 in magnitude.
"""

import numpy as np


def sigmoid(x: np.ndarray) -> np.ndarray:
    """Logistic sigmoid, like ``keras.activations.sigmoid``.

    ```
    sigmoid(x) = 1 / (1 + exp(-x))
    ```
    Written as ``exp(x) / (1 + exp(x))`` where x < 0, so that ``exp`` never overflows.
    """
    x = np.asarray(x)
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def tanh(x: np.ndarray) -> np.ndarray:
    """Hyperbolic tangent, like ``keras.activations.tanh``.

    ```
    tanh(x) = (exp(x) - exp(-x)) / (exp(x) + exp(-x))
    ```
    ``np.tanh`` computes it without overflow.
    """
    return np.tanh(x)


def relu(x: np.ndarray) -> np.ndarray:
    """Rectified linear unit, like ``keras.activations.relu``.

    ```
    relu(x) = max(x, 0)
    ```
    """
    return np.maximum(x, 0)


def leaky_relu(x: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    """Leaky ReLU, like ``keras.activations.leaky_relu``.

    ```
    leaky_relu(x) = x                    if x > 0
                    negative_slope * x   otherwise
    ```
    Args:
        x: input array.
        negative_slope: slope for x <= 0. Defaults to 0.2 (``keras.layers.LeakyReLU`` uses 0.3).
    """
    x = np.asarray(x)
    return np.where(x > 0, x, negative_slope * x)


def softmax(x: np.ndarray, axis: int = -1) -> np.ndarray:
    """Softmax along ``axis``, like ``keras.activations.softmax``.

    ```
    softmax(x)_i = exp(x_i - max(x)) / sum_j exp(x_j - max(x))
    ```
    Subtracting the maximum along ``axis`` leaves the result unchanged and keeps ``exp`` finite.

    Args:
        x: input array with at least one dimension.
        axis: the axis the probabilities sum to 1 over. Defaults to -1 (the last).
    """
    shifted = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return shifted / np.sum(shifted, axis=axis, keepdims=True)


def sigmoid_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ``sigmoid`` with respect to ``x``, element-wise.

    ```
    sigmoid'(x) = sigmoid(x) * (1 - sigmoid(x))
    ```
    """
    s = sigmoid(x)
    return s * (1 - s)


def tanh_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ``tanh`` with respect to ``x``, element-wise.

    ```
    tanh'(x) = 1 - tanh(x)**2
    ```
    """
    return 1 - np.tanh(x) ** 2


def relu_grad(x: np.ndarray) -> np.ndarray:
    """Derivative of ``relu`` with respect to ``x``, element-wise.

    ```
    relu'(x) = 1 if x > 0 else 0        (0 at x == 0, as TensorFlow's gradient)
    ```
    """
    x = np.asarray(x)
    return (x > 0).astype(np.result_type(x.dtype, np.float32))


def leaky_relu_grad(x: np.ndarray, negative_slope: float = 0.2) -> np.ndarray:
    """Derivative of ``leaky_relu`` with respect to ``x``, element-wise.

    ```
    leaky_relu'(x) = 1 if x > 0 else negative_slope   (negative_slope at x == 0, as TensorFlow)
    ```
    """
    x = np.asarray(x)
    dtype = np.result_type(x.dtype, np.float32)
    return np.where(x > 0, 1, negative_slope).astype(dtype)


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex01_activations")
