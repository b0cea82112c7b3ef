"""What the grader-only process does: train the grader's own models and open the files
students' code wrote.

This process (``Submission(None)``, the ``inspector`` fixture) runs no student code, so what it
computes can be trusted, and the answers it gives (the weights a correct ``train`` reaches)
never exist where a student's code could read them. Files are opened with Keras's safe mode.
It offers the worker's factories too (``grader.worker.provided``), to build the same models.
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.catalog import SEED
from grader.worker import provided


def fitted_digits_classifier(
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int,
    batch_size: int,
) -> Any:
    """ex06's model trained by the grader, as the exercise's ``train`` prescribes: what a
    student's ``train`` must reproduce from the same seed."""
    model = provided.digits_classifier(X_train.shape[1], seed_value=SEED)
    model.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(X_val, y_val),
        verbose=0,
    )
    return model


def png_summary(path: str) -> dict[str, Any]:
    """Size and line colours of a PNG a student's code saved (opened without student code).

    Returns the width, the height, and for each of 12 hue bins the number of strongly coloured
    pixels: a plotted line shows as one bin, its anti-aliased edges in the same hue.
    """
    import matplotlib.colors
    import matplotlib.image

    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            raise ValueError("the file is not a PNG image")
    image = np.asarray(matplotlib.image.imread(path), dtype=float)[..., :3]
    hsv = matplotlib.colors.rgb_to_hsv(image.reshape(-1, 3))
    coloured = hsv[(hsv[:, 1] > 0.4) & (hsv[:, 2] > 0.2)]
    counts, _ = np.histogram(coloured[:, 0], bins=12, range=(0.0, 1.0))
    return {
        "width": int(image.shape[1]),
        "height": int(image.shape[0]),
        "hue_counts": [int(c) for c in counts],
    }


def load_saved_model(path: str) -> Any:
    """A file a student's code wrote, opened with Keras's safe mode (never ``safe_mode=False``)."""
    from tensorflow import keras

    return keras.models.load_model(path, safe_mode=True, compile=False)


def load_saved_weights(path: str, hidden: int = 8) -> Any:
    """ex08's architecture with the weights a student's code saved at ``path``."""
    model = provided.small_model_fn(hidden)()
    model.load_weights(path)
    return model


FACTORIES: dict[str, Callable[..., Any]] = {
    **provided.FACTORIES,
    "fitted_digits_classifier": fitted_digits_classifier,
    "png_summary": png_summary,
    "load_saved_model": load_saved_model,
    "load_saved_weights": load_saved_weights,
}
