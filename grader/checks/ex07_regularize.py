"""Checks of ex07_regularize: the notes' model_fn, Dropout(0.3), ModelCheckpoint and
EarlyStopping, on 8x8 digit images.

Models cross as plain configs and weights. One training run through the student's
``train_with_callbacks`` (on a model the grader provides, compiled with Adam(0.01) so that the
validation loss turns within a few epochs) serves three checks; the judge recomputes the
validation loss of the restored model and of the checkpoint file itself. The checkpoint file is
opened by a process without student code, with Keras's safe mode.
"""

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.catalog import SEED
from grader.judge import keras_numpy
from grader.judge.student import Student
from grader.judge.verdict import Verdict, explain
from grader.words import say

EXERCISE = "ex07_regularize"
EPOCH_LIMIT = 40
LOSS_RTOL = 1e-4
"""Keras reports float32 losses; the judge recomputes them in float64."""
DROPOUT_RATE = 0.3


@cache
def _images() -> tuple[np.ndarray, ...]:
    """Digits as 8x8 images scaled to 0..1, split 80/20 (stratified, seeded)."""
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    X, y = load_digits(return_X_y=True)
    return tuple(
        train_test_split(X.reshape(-1, 8, 8) / 16.0, y, test_size=0.2, stratify=y, random_state=42)
    )


def _model(student: Student, call: str, *args: Any) -> dict[str, Any]:
    name = call.split("(")[0]
    return student.settle(student.submission.request(name, args, convert="model"), call).value


def _layers(model: dict[str, Any]) -> list[tuple[str, Any]]:
    """Each layer as (class, its defining setting): units and activation, or the rate."""
    described = []
    for layer in model["layers"]:
        config = layer["config"]
        if layer["class"] == "Dense":
            described.append(("Dense", (config.get("units"), config.get("activation"))))
        elif layer["class"] == "Dropout":
            described.append(("Dropout", config.get("rate")))
        else:
            described.append((layer["class"], None))
    return described


BASE = [("Flatten", None), ("Dense", (100, "relu")), ("Dense", (10, "softmax"))]


def _expect_layers(model: dict[str, Any], call: str, wanted: list[tuple[str, Any]]) -> None:
    if not model["built"]:
        raise Verdict(say("keras.not_built", call=call) + "\n" + explain("missing_input"))
    if model["input_shape"] != [None, 8, 8]:
        raise Verdict(
            say(
                "keras.wrong_value",
                call=f"{call}.input_shape",
                received=model["input_shape"],
                expected=[None, 8, 8],
            )
            + "\n"
            + explain("image_input_shape")
        )
    found = _layers(model)
    if found != wanted:
        lines = [say("keras.wrong_layer_list", call=call, received=found, expected=wanted)]
        dropouts = [i for i, (kind, _) in enumerate(found) if kind == "Dropout"]
        if dropouts and dropouts[-1] == len(found) - 1:
            lines.append(explain("dropout_after_output"))
        elif dropouts and found[dropouts[0]][1] != DROPOUT_RATE:
            lines.append(explain("dropout_rate", rate=found[dropouts[0]][1]))
        raise Verdict("\n".join(lines))


def test_model_fn(student: Student) -> None:
    call = "model_fn()"
    model = _model(student, call)
    _expect_layers(model, call, BASE)
    if model["count_params"] != 64 * 100 + 100 + 100 * 10 + 10:
        raise Verdict(
            say(
                "keras.wrong_value",
                call=f"{call}.count_params()",
                received=model["count_params"],
                expected=7510,
            )
        )


def test_model_fn_extra_layer(student: Student) -> None:
    extra = student.submission.request(
        "layer", ("Dense",), {"units": 7, "activation": "tanh"}, op="make", keep=True
    ).value
    call = 'model_fn(keras.layers.Dense(7, activation="tanh"))'
    model = student.settle(
        student.submission.request("model_fn", (extra,), convert="model"), call
    ).value
    _expect_layers(model, call, [*BASE[:2], ("Dense", (7, "tanh")), BASE[2]])


def test_dropout_model(student: Student) -> None:
    call = "dropout_model()"
    _expect_layers(_model(student, call), call, [*BASE[:2], ("Dropout", DROPOUT_RATE), BASE[2]])


def test_dropout_behaviour(student: Student) -> None:
    """In training the Dropout layer zeroes about 30% of its inputs and scales the rest by
    1/0.7; at inference the model's output is the plain forward pass of its weights."""
    call = "dropout_model()"
    answer = student.submission.request("dropout_model", keep=True, convert="model")
    model = student.settle(answer, call)
    ones = np.ones((200, 100))
    outputs = student.settle(
        student.submission.request("dropout_outputs", (model.value, ones), op="make"),
        f"{call}: its Dropout layer",
    ).value
    if not outputs:
        raise Verdict(say("keras.no_dropout", call=call))
    dropped = np.asarray(outputs[0], dtype=float)
    fraction = float(np.mean(dropped == 0))
    kept = dropped[dropped != 0]
    if abs(fraction - DROPOUT_RATE) > 0.05 or not np.allclose(
        kept, 1 / (1 - DROPOUT_RATE), rtol=1e-5
    ):
        raise Verdict(
            say(
                "keras.dropout_training",
                call=call,
                fraction=fraction,
                scale=float(kept.mean()) if kept.size else 0.0,
            )
        )
    _, X_val, _, _ = _images()
    predicted = student.settle(
        student.submission.request("predict", (model.value, X_val[:50]), op="make"),
        f"{call}.predict",
    ).value
    gold = keras_numpy.forward(model.plain, X_val[:50])
    if not np.allclose(np.asarray(predicted, dtype=float), gold, rtol=1e-4, atol=1e-6):
        raise Verdict(say("keras.dropout_inference", call=call))


def test_callbacks(student: Student, tmp_path) -> None:
    path = str(tmp_path / "best.keras")
    call = f"make_callbacks({path!r})"
    found = student.settle(
        student.submission.request("make_callbacks", (path,), convert="callbacks"), call
    ).value
    by_class = {c["class"]: c["config"] for c in found}
    checkpoint, stopping = by_class.get("ModelCheckpoint"), by_class.get("EarlyStopping")
    if checkpoint is None or stopping is None:
        raise Verdict(say("keras.missing_callbacks", call=call, found=sorted(by_class)))
    problems = [
        ("checkpoint_path", checkpoint.get("filepath") != path),
        ("save_best_only", checkpoint.get("save_best_only") is not True),
        ("checkpoint_monitor", checkpoint.get("monitor") != "val_loss"),
        ("patience", stopping.get("patience") != 2),
        ("restore_best_weights", stopping.get("restore_best_weights") is not True),
        ("stopping_monitor", stopping.get("monitor") != "val_loss"),
    ]
    for mistake, wrong in problems:
        if wrong:
            raise Verdict(
                say("keras.callback_settings", call=call, checkpoint=checkpoint, stopping=stopping)
                + "\n"
                + explain(f"callback_{mistake}")
            )


def _training(student: Student, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One run of ``train_with_callbacks``, shared by the three checks that judge it."""
    memo = student.submission.memo
    if "training" not in memo:
        memo["training"] = _train(student, tmp_path_factory.mktemp("checkpoint"))
    result = memo["training"]
    if isinstance(result, Verdict):
        raise Verdict(result.message, result.status)
    return result


def _train(student: Student, tmp_dir: Path) -> dict[str, Any] | Verdict:
    X_train, X_val, y_train, y_val = _images()
    path = str(tmp_dir / "best.keras")
    call = (
        f"train_with_callbacks(model, X_train, y_train, X_val, y_val, {path!r}, "
        f"epochs={EPOCH_LIMIT})"
    )
    try:
        model = student.submission.request(
            "digits_image_classifier", kwargs={"seed_value": SEED}, op="make", keep=True
        )
        model = student.settle(model, say("words.model_to_train")).value
        answer = student.submission.request(
            "train_with_callbacks",
            (model, X_train, y_train, X_val, y_val, path),
            {"epochs": EPOCH_LIMIT},
            convert="history",
        )
        history = student.settle(answer, call).value
        weights = student.submission.request("itself", (model,), op="make", convert="model")
        callbacks = student.submission.request("make_callbacks", (path,), convert="callbacks")
        patience = (
            next(
                (
                    c["config"].get("patience")
                    for c in callbacks.value or []
                    if c["class"] == "EarlyStopping"
                ),
                None,
            )
            if callbacks.error is None
            else None
        )
        return {
            "call": call,
            "path": path,
            "history": history["history"],
            "model": student.settle(weights, say("words.trained_model")).value,
            "patience": patience if isinstance(patience, int) and patience >= 1 else 2,
        }
    except Verdict as verdict:
        return verdict


def _best(run: dict[str, Any]) -> float:
    """The best validation loss of a run that early stopping ended: as many epochs after its
    best one as the student's own EarlyStopping's patience (a wrong patience costs points in
    ``test_callbacks`` only), so the best epoch is not the last one."""
    losses = run["history"].get("val_loss")
    if not losses:
        raise Verdict(say("keras.no_validation", call=run["call"], found=sorted(run["history"])))
    epochs, best_epoch = len(losses), int(np.argmin(losses)) + 1
    if epochs >= EPOCH_LIMIT:
        raise Verdict(
            say("keras.no_early_stop", call=run["call"], epochs=epochs, limit=EPOCH_LIMIT)
            + "\n"
            + explain("callbacks_not_passed")
        )
    patience = run["patience"]
    if epochs != best_epoch + patience:
        raise Verdict(
            say(
                "keras.not_early_stopping",
                call=run["call"],
                epochs=epochs,
                best=best_epoch,
                patience=patience,
            )
        )
    return float(min(losses))


def test_stops_early(student: Student, tmp_path_factory) -> None:
    _best(_training(student, tmp_path_factory))


def test_checkpoint_is_best(student: Student, inspector, tmp_path_factory) -> None:
    run = _training(student, tmp_path_factory)
    best = _best(run)
    path = Path(run["path"])
    if not path.is_file() or path.is_symlink():
        raise Verdict(say("keras.no_file", call=run["call"], path=path))
    saved = inspector.request("load_saved_model", (str(path),), op="make", convert="model")
    if saved.error is not None:
        raise Verdict(
            say(
                "keras.unreadable_file",
                call=run["call"],
                path=path,
                message=f"{saved.error.type}: {saved.error.message}",
            )
        )
    _, X_val, _, y_val = _images()
    loss = keras_numpy.sparse_crossentropy(saved.value, X_val, y_val)
    if abs(loss - best) > LOSS_RTOL * best + 1e-6:
        raise Verdict(
            say(
                "keras.not_best",
                call=run["call"],
                what=say("words.checkpoint"),
                loss=loss,
                best=best,
            )
            + "\n"
            + explain("callback_save_best_only")
        )


def test_restores_best_weights(student: Student, tmp_path_factory) -> None:
    run = _training(student, tmp_path_factory)
    best = _best(run)
    _, X_val, _, y_val = _images()
    loss = keras_numpy.sparse_crossentropy(run["model"], X_val, y_val)
    if abs(loss - best) > LOSS_RTOL * best + 1e-6:
        raise Verdict(
            say(
                "keras.not_best",
                call=run["call"],
                what=say("words.trained_model"),
                loss=loss,
                best=best,
            )
            + "\n"
            + explain("callback_restore_best_weights")
        )
