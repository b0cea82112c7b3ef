"""Keras objects as plain data, in the student's process, before they cross to the judge.

Each converter takes what a student's function returned and keeps only data: configs
(strings and numbers), weights (NumPy arrays), histories (lists of floats). The judge validates
every field it reads; nothing here decides a mark. Imports Keras only when a converter runs.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

CALLBACK_FIELDS = (
    "monitor",
    "patience",
    "restore_best_weights",
    "save_best_only",
    "save_weights_only",
    "filepath",
    "min_delta",
    "mode",
)


def model(value: Any) -> dict[str, Any]:
    """A model's class, layers (class, config, weights), shapes, size and compile settings."""
    from tensorflow import keras

    if not isinstance(value, keras.Model):
        raise TypeError(f"expected a keras.Model, got {type(value).__name__}")
    built = bool(value.built)
    layers = [
        {
            "class": type(layer).__name__,
            "config": layer.get_config(),
            "weights": [np.asarray(w) for w in layer.get_weights()],
        }
        for layer in value.layers
    ]
    compiled = None
    if getattr(value, "compiled", False):
        compiled = value.get_compile_config()
    return {
        "class": type(value).__name__,
        "built": built,
        "layers": layers,
        "input_shape": list(value.input_shape) if built else None,
        "output_shape": list(value.output_shape) if built else None,
        "count_params": int(value.count_params()) if built else None,
        "compiled": compiled,
    }


def history(value: Any) -> dict[str, Any]:
    """A ``History``'s per-epoch values and its ``params`` (epochs, steps)."""
    if not hasattr(value, "history") or not hasattr(value, "params"):
        raise TypeError(f"expected the History that model.fit returns, got {type(value).__name__}")
    return {
        "class": type(value).__name__,
        "history": {str(k): [float(x) for x in v] for k, v in dict(value.history).items()},
        "epoch": [int(e) for e in value.epoch],
        "params": {
            str(k): v
            for k, v in dict(value.params or {}).items()
            if isinstance(v, int | float | str | bool) or v is None
        },
    }


def callbacks(value: Any) -> list[dict[str, Any]]:
    """Each callback's class, the classes it derives from (``module.qualname``, for the judge
    to compare with Keras's own) and the settings that decide what it does."""
    items = value if isinstance(value, list | tuple) else [value]
    found = []
    for callback in items:
        settings = {}
        for name in CALLBACK_FIELDS:
            attribute = getattr(callback, name, None)
            if isinstance(attribute, int | float | str | bool):
                settings[name] = attribute
        found.append(
            {
                "class": type(callback).__name__,
                "classes": [f"{c.__module__}.{c.__qualname__}" for c in type(callback).__mro__],
                "config": settings,
            }
        )
    return found


def floats(value: Any) -> dict[str, float]:
    """A mapping of names to numbers, as floats."""
    return {str(k): float(v) for k, v in dict(value).items()}


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "model": model,
    "history": history,
    "callbacks": callbacks,
    "floats": floats,
}
