"""What the grader hands into the student's process: fixed optimizers, models and helpers.

A check that needs an object the student did not write (ex04's optimizer, ex06's model,
ex08's architecture) makes it here with ``Submission.request(name, op="make")``, so an
unfinished earlier exercise never costs points in a later one. Also the grader's own file
loading, which runs in a process without student code (``Submission(None)``).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.catalog import SEED


class SGD:
    """Plain gradient descent with the ex03 interface: ``w = w - learning_rate * g``."""

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = learning_rate
        self.iterations = 0

    def step(self, params: list[np.ndarray], grads: list[np.ndarray]) -> list[np.ndarray]:
        self.iterations += 1
        return [
            np.asarray(w) - self.learning_rate * np.asarray(g)
            for w, g in zip(params, grads, strict=True)
        ]


def seed(value: int = SEED) -> None:
    """Seed Python, NumPy and Keras, and make TensorFlow's ops deterministic."""
    import tensorflow as tf
    from tensorflow import keras

    keras.utils.set_random_seed(value)
    tf.config.experimental.enable_op_determinism()


def digits_classifier(input_dim: int = 64) -> Any:
    """ex06's model: Dense(32, relu) then Dense(10, softmax), compiled with Adam."""
    from tensorflow import keras

    seed()
    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return model


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
    model = digits_classifier(X_train.shape[1])
    model.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(X_val, y_val),
        verbose=0,
    )
    return model


def digits_image_classifier(learning_rate: float = 0.01) -> Any:
    """ex07's model (the notes' model_fn for 8x8 images), compiled with Adam.

    A learning rate of 0.01 makes the validation loss turn within about 10 epochs on the
    digits data, so early stopping shows in a few seconds of training.
    """
    from tensorflow import keras

    seed()
    model = keras.Sequential(
        [
            keras.Input(shape=(8, 8)),
            keras.layers.Flatten(),
            keras.layers.Dense(100, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    return model


def layer(kind: str, **config: Any) -> Any:
    """A Keras layer, e.g. ``layer("Dense", units=7, activation="tanh")``."""
    from tensorflow import keras

    return getattr(keras.layers, kind)(**config)


def dense_model(input_dim: int, hidden: list[tuple[int, str]], units: int, activation: str) -> Any:
    """An uncompiled ``Sequential`` of Dense layers, for checks of ``compile``."""
    from tensorflow import keras

    layers = [keras.Input(shape=(input_dim,))]
    layers += [keras.layers.Dense(u, activation=a) for u, a in hidden]
    layers.append(keras.layers.Dense(units, activation=activation))
    return keras.Sequential(layers)


def small_model_fn(hidden: int = 8) -> Callable[[], Any]:
    """ex08's architecture as a function of no arguments (what ``load_weights`` is given)."""

    def build() -> Any:
        from tensorflow import keras

        model = keras.Sequential(
            [
                keras.Input(shape=(4,)),
                keras.layers.Dense(hidden, activation="relu"),
                keras.layers.Dense(3, activation="softmax"),
            ]
        )
        model.compile(optimizer="adam", loss="sparse_categorical_crossentropy")
        return model

    return build


def small_model(hidden: int = 8) -> Any:
    """An ex08 model with seeded, non-trivial weights."""
    seed()
    model = small_model_fn(hidden)()
    rng = np.random.default_rng(SEED)
    model.set_weights([rng.standard_normal(w.shape) for w in model.get_weights()])
    return model


def itself(value: Any) -> Any:
    """The value unchanged: with ``convert``, a kept object's plain data."""
    return value


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


def call(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``: a kept function called with plain arguments."""
    return function(*args)


def predict(model: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(X, verbose=0))


def dropout_outputs(model: Any, x: np.ndarray) -> list[np.ndarray]:
    """What every Dropout layer of ``model`` makes of ``x`` in training mode."""
    from tensorflow import keras

    return [
        np.asarray(layer(x, training=True))
        for layer in model.layers
        if isinstance(layer, keras.layers.Dropout)
    ]


def save_weights_file(model: Any, path: str) -> str:
    """The grader's own ``save_weights``, for checks of loading."""
    model.save_weights(path)
    return path


def save_model_file(model: Any, path: str) -> str:
    """The grader's own ``model.save``, for checks of loading."""
    model.save(path)
    return path


def load_saved_model(path: str) -> Any:
    """A file a student's code wrote, opened with Keras's safe mode (never ``safe_mode=False``)."""
    from tensorflow import keras

    return keras.models.load_model(path, safe_mode=True, compile=False)


def load_saved_weights(path: str, hidden: int = 8) -> Any:
    """ex08's architecture with the weights a student's code saved at ``path``."""
    model = small_model_fn(hidden)()
    model.load_weights(path)
    return model


FACTORIES: dict[str, Callable[..., Any]] = {
    "itself": itself,
    "png_summary": png_summary,
    "sgd": SGD,
    "seed": seed,
    "digits_classifier": digits_classifier,
    "fitted_digits_classifier": fitted_digits_classifier,
    "dense_model": dense_model,
    "digits_image_classifier": digits_image_classifier,
    "layer": layer,
    "small_model": small_model,
    "small_model_fn": small_model_fn,
    "call": call,
    "predict": predict,
    "dropout_outputs": dropout_outputs,
    "save_weights_file": save_weights_file,
    "save_model_file": save_model_file,
    "load_saved_model": load_saved_model,
    "load_saved_weights": load_saved_weights,
}
