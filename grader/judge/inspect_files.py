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


HUE_BINS = 12
LINE_PIXELS = 100
"""A hue bin with at least this many strongly coloured pixels holds a plotted line."""
GAP_ROWS = 3
"""Pixels of one hue further apart than this in a column belong to different strokes."""


def png_summary(path: str) -> dict[str, Any]:
    """Size and lines of a PNG a student's code saved (opened without student code).

    Returns the width, the height, for each of 12 hue bins the number of strongly coloured
    pixels (a plotted line shows as one bin, its anti-aliased edges in the same hue), and for
    each bin that holds a line, the line traced column by column: ``columns`` and, for each,
    the ``rows`` of the stroke's middle (image rows: 0 at the top). A column with two strokes
    of the hue (the line and its sample in the legend) keeps the one nearest the row the
    tracing came from, from the left.
    """
    import matplotlib.colors
    import matplotlib.image

    with open(path, "rb") as f:
        if f.read(8) != b"\x89PNG\r\n\x1a\n":
            raise ValueError("the file is not a PNG image")
    image = np.asarray(matplotlib.image.imread(path), dtype=float)[..., :3]
    hsv = matplotlib.colors.rgb_to_hsv(image)
    strong = (hsv[..., 1] > 0.4) & (hsv[..., 2] > 0.2)
    bins = np.minimum((hsv[..., 0] * HUE_BINS).astype(int), HUE_BINS - 1)
    counts = [int(np.sum(strong & (bins == b))) for b in range(HUE_BINS)]
    lines = [
        {"hue_bin": b, **_traced(_without_legend(strong & (bins == b)))}
        for b, count in enumerate(counts)
        if count >= LINE_PIXELS
    ]
    return {
        "width": int(image.shape[1]),
        "height": int(image.shape[0]),
        "hue_counts": counts,
        "lines": lines,
    }


JOIN_COLUMNS = 15
"""Pixels of one hue this close side by side belong to one stroke (the dashes of a dashed line,
a line's markers)."""
LEGEND_SAMPLE = (8, 0.12)
"""A legend's sample of a line: a stroke at most 8 pixels high and 12% of the image wide."""


def _without_legend(mask: np.ndarray) -> np.ndarray:
    """``mask`` without the short level strokes a legend shows as samples of its lines; the
    plotted line stays whole, even where another line drawn over it cuts it in pieces."""
    from scipy import ndimage

    joined = ndimage.binary_dilation(mask, structure=np.ones((3, JOIN_COLUMNS), dtype=bool))
    labels, _ = ndimage.label(joined, structure=np.ones((3, 3), dtype=bool))
    kept = mask.copy()
    height, width = LEGEND_SAMPLE
    for number, found in enumerate(ndimage.find_objects(labels), start=1):
        rows, columns = found
        tall = rows.stop - rows.start - 2  # less the dilation's row above and below
        wide = columns.stop - columns.start - (JOIN_COLUMNS - 1)
        if tall <= height and wide <= width * mask.shape[1]:
            kept[labels == number] = False
    return kept if kept.any() else mask


def _traced(mask: np.ndarray) -> dict[str, list[float]]:
    """The middle row of the stroke in each column of ``mask`` that has one, left to right.

    Tracing starts at the first column with a single stroke and goes both ways from there,
    keeping in each column the stroke nearest the one beside it."""
    columns = [int(x) for x in np.flatnonzero(mask.any(axis=0))]
    strokes = []
    for x in columns:
        ys = np.flatnonzero(mask[:, x])
        runs = np.split(ys, np.flatnonzero(np.diff(ys) > GAP_ROWS) + 1)
        strokes.append([float(np.mean(run)) for run in runs])
    if not columns:
        return {"columns": [], "rows": []}
    start = next((i for i, found in enumerate(strokes) if len(found) == 1), 0)
    rows = [0.0] * len(columns)
    rows[start] = strokes[start][0]
    for order in (range(start + 1, len(columns)), range(start - 1, -1, -1)):
        previous = rows[start]
        for i in order:
            previous = rows[i] = min(strokes[i], key=lambda m: abs(m - previous))
    return {"columns": columns, "rows": rows}


def compiled_step(
    model: dict[str, Any],
    optimizer: str,
    learning_rate: float,
    loss: str,
    x: np.ndarray,
    y: np.ndarray,
) -> list[np.ndarray]:
    """ex05's model (``model``: the plain form of a ``Sequential`` of Dense layers, weights
    included) compiled by the grader with ``optimizer`` at ``learning_rate`` and ``loss``, after
    one ``train_on_batch`` on ``(x, y)``: the weights a model compiled that way ends with."""
    from tensorflow import keras

    if any(layer["class"] != "Dense" for layer in model["layers"]):  # the grader's own model
        raise ValueError("compile_model changed the model's layers")
    layers = [keras.layers.Dense.from_config(layer["config"]) for layer in model["layers"]]
    rebuilt = keras.Sequential([keras.Input(shape=tuple(model["input_shape"][1:])), *layers])
    rebuilt.set_weights([w for layer in model["layers"] for w in layer["weights"]])
    config = {"class_name": optimizer, "config": {"learning_rate": learning_rate}}
    rebuilt.compile(optimizer=keras.optimizers.get(config), loss=loss, run_eagerly=True)
    rebuilt.train_on_batch(x, y)
    return [np.asarray(w) for w in rebuilt.get_weights()]


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
    "compiled_step": compiled_step,
    "load_saved_model": load_saved_model,
    "load_saved_weights": load_saved_weights,
    "lambda_model_file": lambda_model_file,
}
