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
    seed_value: int = SEED,
) -> Any:
    """ex06's model trained by the grader, as the exercise's ``train`` prescribes: what a
    student's ``train`` must reproduce from the same seed."""
    model = provided.digits_classifier(X_train.shape[1], seed_value=seed_value)
    model.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(X_val, y_val),
        verbose=0,
    )
    return model


EARLY_STOPPING_SETTINGS = ("monitor", "patience", "min_delta", "mode", "restore_best_weights")


def keras_class_path(name: str) -> str:
    """Where Keras defines ``keras.callbacks.<name>`` (``module.qualname``), or "" if it has
    no such class: what a student's callback's class must be, decided without student code."""
    from tensorflow import keras

    cls = getattr(keras.callbacks, name, None)
    return f"{cls.__module__}.{cls.__qualname__}" if isinstance(cls, type) else ""


def callback_training_run(
    stopping: dict[str, Any] | None,
    X_train: np.ndarray,
    y_train: np.ndarray,
    X_val: np.ndarray,
    y_val: np.ndarray,
    epochs: int,
    batch_size: int,
) -> dict[str, Any]:
    """ex07's model trained by the grader with a real ``keras.callbacks.EarlyStopping`` built
    from ``stopping`` (the plain settings of the student's, None for none), as the exercise's
    ``train_with_callbacks`` prescribes.

    Returns every epoch's validation loss, the optimizer's step count, and three sets of
    weights: the best epoch's (lowest validation loss), the last epoch's, and the model's at
    the end of ``fit`` (after EarlyStopping restored any). A ModelCheckpoint changes nothing in
    training, so none is built; what its file must hold is the best or the last epoch's weights.
    """
    from tensorflow import keras

    model = provided.digits_image_classifier(seed_value=SEED)
    seen: list[list[np.ndarray]] = []

    class Record(keras.callbacks.Callback):
        def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
            seen.append([np.array(w) for w in self.model.get_weights()])

    callbacks: list[Any] = [Record()]
    if stopping is not None:
        settings = {k: stopping[k] for k in EARLY_STOPPING_SETTINGS if k in stopping}
        callbacks.append(keras.callbacks.EarlyStopping(**settings))
    history = model.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(X_val, y_val),
        callbacks=callbacks,
        verbose=0,
    )
    losses = [float(v) for v in history.history["val_loss"]]
    return {
        "val_loss": losses,
        "steps": int(model.optimizer.iterations),
        "best": seen[int(np.argmin(losses))],
        "last": seen[-1],
        "final": [np.array(w) for w in model.get_weights()],
    }


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


def lambda_model_file(path: str) -> str:
    """A ``.keras`` file whose model holds a ``Lambda`` layer's Python code, made at grading time
    in this process: what a ``load_model`` keeping Keras's safe mode must refuse to open."""
    from tensorflow import keras

    model = keras.Sequential(
        [keras.Input(shape=(4,)), keras.layers.Lambda(lambda x: x * 2.0), keras.layers.Dense(2)]
    )
    model.save(path)
    return path


def load_saved_weights(path: str, hidden: int = 8) -> Any:
    """ex08's architecture with the weights a student's code saved at ``path``."""
    model = provided.small_model_fn(hidden)()
    model.load_weights(path)
    return model


FACTORIES: dict[str, Callable[..., Any]] = {
    **provided.FACTORIES,
    "fitted_digits_classifier": fitted_digits_classifier,
    "callback_training_run": callback_training_run,
    "keras_class_path": keras_class_path,
    "png_summary": png_summary,
    "load_saved_model": load_saved_model,
    "load_saved_weights": load_saved_weights,
    "lambda_model_file": lambda_model_file,
}
