"""The judge's own forward pass: a model's output from its plain config and weights.

The judge recomputes predictions and losses from the weights a student's model holds, rather
than trusting numbers the student's process reports. Supports what the course's models use:
Dense (linear, relu, sigmoid, tanh, softmax), Flatten, Dropout (identity at inference).
"""

from typing import Any

import numpy as np

EPSILON = 1e-7


def _activation(name: str, z: np.ndarray) -> np.ndarray:
    if name in ("linear", None):
        return z
    if name == "relu":
        return np.maximum(z, 0)
    if name == "sigmoid":
        return 0.5 * (1 + np.tanh(0.5 * z))
    if name == "tanh":
        return np.tanh(z)
    if name == "softmax":
        e = np.exp(z - z.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    raise ValueError(f"activation {name!r} is not one the course uses")


def forward(model: dict[str, Any], X: np.ndarray) -> np.ndarray:
    """The model's inference output for ``X`` (float64)."""
    x = np.asarray(X, dtype=np.float64)
    for layer in model["layers"]:
        kind = layer["class"]
        if kind == "Flatten":
            x = x.reshape(len(x), -1)
        elif kind == "Dense":
            kernel, bias = (np.asarray(w, dtype=np.float64) for w in layer["weights"])
            x = _activation(layer["config"].get("activation"), x @ kernel + bias)
        elif kind not in ("Dropout", "InputLayer"):
            raise ValueError(f"layer {kind} is not one the course uses")
    return x


def sparse_crossentropy(y: np.ndarray, probabilities: np.ndarray) -> float:
    """Mean sparse categorical crossentropy, as Keras computes it from probabilities."""
    p = np.clip(probabilities, EPSILON, 1 - EPSILON)
    p = p / p.sum(axis=-1, keepdims=True)
    return float(np.mean(-np.log(p[np.arange(len(y)), np.asarray(y, dtype=int)])))


def accuracy(y: np.ndarray, probabilities: np.ndarray) -> float:
    return float(np.mean(np.argmax(probabilities, axis=-1) == np.asarray(y)))
