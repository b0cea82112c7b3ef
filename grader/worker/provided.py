"""What the grader hands into the student's process: models, layers and small helpers.

A check that needs an object the student did not write (ex06's model, ex08's architecture)
makes it here with ``Submission.request(name, op="make")``, so an unfinished earlier exercise
never costs points in a later one. Nothing here computes what an exercise asks for: an
object that must compute something (ex04's optimizer) is kept by the judge and reached from
here through ``grader.worker.serve.JudgeObject``; training the grader's own models and
opening the files students' code wrote happen in a process without student code
(``grader.judge.inspect_files``).
"""

from collections.abc import Callable
from typing import Any

import numpy as np

from grader.worker.progress import reporting


def seed(value: int) -> None:
    """Seed Python, NumPy and Keras, and make TensorFlow's ops deterministic."""
    import tensorflow as tf
    from tensorflow import keras

    keras.utils.set_random_seed(value)
    tf.config.experimental.enable_op_determinism()


def digits_classifier(input_dim: int = 64, *, seed_value: int) -> Any:
    """ex06's model: Dense(32, relu) then Dense(10, softmax), compiled with Adam; its ``fit``
    reports each epoch to the judge (``grader.worker.progress``)."""
    from tensorflow import keras

    seed(seed_value)
    model = keras.Sequential(
        [
            keras.Input(shape=(input_dim,)),
            keras.layers.Dense(32, activation="relu"),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    return reporting(model)


def digits_image_classifier(learning_rate: float = 0.01, *, seed_value: int) -> Any:
    """ex07's model (the notes' model_fn for 8x8 images), compiled with Adam.

    A learning rate of 0.01 makes the validation loss turn within about 10 epochs on the
    digits data, so early stopping shows in a few seconds of training. Its ``fit`` reports each
    epoch to the judge (``grader.worker.progress``).
    """
    from tensorflow import keras

    seed(seed_value)
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
    return reporting(model)


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


def small_model(hidden: int = 8, *, seed_value: int) -> Any:
    """An ex08 model with seeded, non-trivial weights."""
    seed(seed_value)
    model = small_model_fn(hidden)()
    rng = np.random.default_rng(seed_value)
    model.set_weights([rng.standard_normal(w.shape) for w in model.get_weights()])
    return model


def itself(value: Any) -> Any:
    """The value unchanged: with ``convert``, a kept object's plain data."""
    return value


def call(function: Callable[..., Any], *args: Any) -> Any:
    """``function(*args)``: a kept function called with plain arguments."""
    return function(*args)


def predict(model: Any, X: np.ndarray) -> np.ndarray:
    return np.asarray(model.predict(X, verbose=0))


def one_training_step(model: Any, x: np.ndarray, y: np.ndarray) -> Any:
    """The model after one ``train_on_batch`` on ``(x, y)``, as it is compiled: Keras's own
    method of the class, whatever the object says of itself. The step runs eagerly, as the
    grader's own does (``grader.judge.inspect_files.compiled_step``): the same arithmetic
    on both sides, without tracing a graph for one step (a second saved per compile)."""
    from tensorflow import keras

    keras.Model.run_eagerly.__set__(model, True)
    keras.Model.train_on_batch(model, x, y)
    return model


def optimizer_steps(model: Any) -> int:
    """How many training steps ``model``'s optimizer has taken."""
    return int(model.optimizer.iterations)


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


FACTORIES: dict[str, Callable[..., Any]] = {
    "itself": itself,
    "seed": seed,
    "digits_classifier": digits_classifier,
    "dense_model": dense_model,
    "digits_image_classifier": digits_image_classifier,
    "layer": layer,
    "small_model": small_model,
    "small_model_fn": small_model_fn,
    "call": call,
    "predict": predict,
    "optimizer_steps": optimizer_steps,
    "one_training_step": one_training_step,
    "dropout_outputs": dropout_outputs,
    "save_weights_file": save_weights_file,
    "save_model_file": save_model_file,
}
