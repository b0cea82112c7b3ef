"""Logistic regression as one sigmoid neuron, in NumPy.

The notes' simplest network is one ``keras.layers.Dense(1, activation="sigmoid")`` trained
with stochastic gradient descent on the binary crossentropy. Here the same neuron is written
by hand: ``X`` has shape ``(n, d)``, the weights ``w`` shape ``(d,)``, the bias ``b`` is a
float, labels ``y`` are 0 or 1 with shape ``(n,)``.
"""

import numpy as np

EPSILON = 1e-7
"""Keras clips probabilities to ``[EPSILON, 1 - EPSILON]`` before the log."""


def predict_proba(X: np.ndarray, w: np.ndarray, b: float) -> np.ndarray:
    """The neuron's output, the probability of class 1 for each row of ``X``.

    ```
    z = X @ w + b
    p = sigmoid(z) = 1 / (1 + exp(-z))
    ```
    Returns:
        Array of shape ``(n,)``.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def loss(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> float:
    """Mean binary crossentropy over the samples, like ``keras.losses.BinaryCrossentropy()``.

    ```
    p = clip(predict_proba(X, w, b), EPSILON, 1 - EPSILON)
    loss = mean(-(y * log(p) + (1 - y) * log(1 - p)))
    ```
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def gradients(X: np.ndarray, y: np.ndarray, w: np.ndarray, b: float) -> tuple[np.ndarray, float]:
    """Gradients of ``loss`` with respect to ``w`` and ``b``.

    ```
    p = predict_proba(X, w, b)
    dw = X.T @ (p - y) / n
    db = mean(p - y)
    ```
    Returns:
        ``(dw, db)``: an array of shape ``(d,)`` and a float.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def train(
    X: np.ndarray,
    y: np.ndarray,
    w: np.ndarray,
    b: float,
    optimizer,
    epochs: int,
    batch_size: int,
) -> tuple[np.ndarray, float, list[float]]:
    """Mini-batch gradient descent, like ``model.fit(X, y, epochs, batch_size, shuffle=False)``.

    ```
    for each epoch:
        for each batch X[i:i + batch_size], y[i:i + batch_size], in order (the last may be short):
            dw, db = gradients(batch)
            w, b = optimizer.step([w, b], [dw, db])
        history.append(loss(X, y, w, b))
    ```
    ``optimizer`` has the ex03 interface: ``step(params, grads)`` returns the new parameters;
    pass ``b`` and ``db`` as 0-d arrays (``np.array(b)``) and turn the new ``b`` back into a
    float. Do not modify ``X``, ``y`` or ``w`` in place.

    Returns:
        ``(w, b, history)``: the trained weights, bias, and the loss on all of ``X`` after
        each epoch.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex04_neuron")
