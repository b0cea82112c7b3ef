"""The judge's own forward pass: a model's output from its plain config and weights.

The judge recomputes predictions and losses from the weights a student's model holds, rather
than trusting numbers the student's process reports. Supports what the course's models use:
Dense (linear, relu, sigmoid, tanh, softmax), Activation, Flatten, Dropout (identity at
inference).
"""

from typing import Any

import numpy as np

from grader.judge.numpy_math import sigmoid, softmax

EPSILON = 1e-7


def computing_layers(model: dict[str, Any]) -> list[dict[str, Any]]:
    """A plain model's layers that compute something, in the form the exercises ask for.

    A functional ``keras.Model`` lists its ``InputLayer``, a ``Sequential`` hides it: both
    compute the same function, so it is left out. ``Dense(units)`` followed by
    ``Activation(a)`` computes what ``Dense(units, activation=a)`` does: the pair is shown as
    that one Dense layer. The judge compares models this way in ex05 and ex07 alike."""
    layers: list[dict[str, Any]] = []
    for layer in model["layers"]:
        if layer["class"] == "InputLayer":
            continue
        before = layers[-1] if layers else None
        if (
            layer["class"] == "Activation"
            and before is not None
            and before["class"] == "Dense"
            and before["config"].get("activation") in ("linear", None)
        ):
            config = {**before["config"], "activation": layer["config"].get("activation")}
            layers[-1] = {**before, "config": config}
            continue
        layers.append(layer)
    return layers


def _activation(name: str, z: np.ndarray) -> np.ndarray:
    if name in ("linear", None):
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        return sigmoid(z)
    if name == "tanh":
        return np.tanh(z)
    if name == "softmax":
        return softmax(z, axis=-1)
    raise ValueError(f"activation {name!r} is not one the course uses")


def _run(model: dict[str, Any], X: np.ndarray) -> tuple[np.ndarray, str | None]:
    """The last layer's input to its activation, and that activation's name: each layer
    applies the activation still pending from the layers before it (a Dense layer's own, or an
    Activation layer's), so that the last one is left for ``forward`` or the loss to apply."""
    z, activation = np.asarray(X, dtype=np.float64), None
    for layer in model["layers"]:
        kind = layer["class"]
        if kind == "Dense":
            kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer["weights"])
            z, activation = (
                _activation(activation, z) @ kernel + bias,
                layer["config"].get("activation"),
            )
        elif kind == "Activation":
            z, activation = _activation(activation, z), layer["config"].get("activation")
        elif kind == "Flatten":
            z, activation = _activation(activation, z).reshape(len(z), -1), None
        elif kind not in ("Dropout", "InputLayer"):  # Dropout passes everything at inference
            raise ValueError(f"layer {kind} is not one the course uses")
    return z, activation


def forward(model: dict[str, Any], X: np.ndarray) -> np.ndarray:
    """The model's inference output for ``X`` (float64)."""
    z, activation = _run(model, X)
    return _activation(activation, z)


def sparse_crossentropy(model: dict[str, Any], X: np.ndarray, y: np.ndarray) -> float:
    """The mean sparse categorical crossentropy ``fit`` and ``evaluate`` report.

    For a softmax output Keras (TensorFlow backend) takes the loss from the logits, exactly,
    without clipping the probabilities; otherwise from the clipped probabilities.
    """
    z, activation = _run(model, X)
    labels = np.asarray(y, dtype=int)
    if activation == "softmax":
        shifted = z - z.max(axis=-1, keepdims=True)
        log_p = shifted - np.log(np.exp(shifted).sum(axis=-1, keepdims=True))
        return float(np.mean(-log_p[np.arange(len(labels)), labels]))
    p = np.clip(_activation(activation, z), EPSILON, 1 - EPSILON)
    p = p / p.sum(axis=-1, keepdims=True)
    return float(np.mean(-np.log(p[np.arange(len(labels)), labels])))


def accuracy(y: np.ndarray, probabilities: np.ndarray) -> float:
    return float(np.mean(np.argmax(probabilities, axis=-1) == np.asarray(y)))
