"""Checks of ex07_regularize: the notes' model_fn, Dropout(0.3), ModelCheckpoint and
EarlyStopping, on 8x8 digit images.

Models cross as plain configs and weights. One training run through the student's
``train_with_callbacks`` (on a model the grader provides, compiled with Adam(0.01) so that the
validation loss turns within a few epochs) serves three checks; the judge recomputes the
validation loss of the restored model and of the checkpoint file itself. The checkpoint file is
opened by a process without student code, with Keras's safe mode.
"""

import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from grader.catalog import SEED
from grader.judge import grader_runs, keras_numpy
from grader.judge.process import Submission
from grader.judge.student import Student
from grader.judge.verdict import Explanation, Verdict, explain, shown_path
from grader.words import say

EXERCISE = "ex07_regularize"
EPOCH_LIMIT = 40
LOSS_RTOL = 1e-4
"""Keras reports float32 losses; the judge recomputes them in float64."""
DROPOUT_RATE = 0.3
_TRAIN_SIZE = 1437
"""Training images in the 80/20 split of the 1,797 digits."""
BATCH_SIZE = int(
    np.random.default_rng(SEED).choice(
        [
            size
            for size in range(40, 129)
            if math.lcm(math.ceil(_TRAIN_SIZE / size), math.ceil(_TRAIN_SIZE / 32))
            > EPOCH_LIMIT * math.ceil(_TRAIN_SIZE / size)
        ]
    )
)
"""Drawn from the report's seed, never fit's default of 32, and such that no step count within
the epoch limit is whole epochs of both: a fit that drops the argument shows in its steps."""
WEIGHT_RTOL = 1e-5


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
    for layer in keras_numpy.computing_layers(model):
        config = layer["config"]
        if layer["class"] == "Dense":
            described.append(("Dense", (config.get("units"), config.get("activation"))))
        elif layer["class"] == "Dropout":
            described.append(("Dropout", config.get("rate")))
        else:
            described.append((layer["class"], None))
    return described


BASE = [("Flatten", None), ("Dense", (100, "relu")), ("Dense", (10, "softmax"))]


def _require_built(model: dict[str, Any], call: str) -> None:
    """A model without an input shape has no weights to compare or compute with."""
    if not model["built"]:
        raise Verdict.of(say("keras.not_built", call=call), explain("missing_input"))


def _expect_layers(model: dict[str, Any], call: str, wanted: list[tuple[str, Any]]) -> None:
    _require_built(model, call)
    if model["input_shape"] != [None, 8, 8]:
        raise Verdict.of(
            say(
                "keras.wrong_value",
                call=f"{call}.input_shape",
                received=model["input_shape"],
                expected=[None, 8, 8],
            ),
            explain("image_input_shape"),
        )
    found = _layers(model)
    if found != wanted:
        lines = [say("keras.wrong_layer_list", call=call, received=found, expected=wanted)]
        dropouts = [i for i, (kind, _) in enumerate(found) if kind == "Dropout"]
        if dropouts and dropouts[-1] == len(found) - 1:
            lines.append(explain("dropout_after_output"))
        elif dropouts and found[dropouts[0]][1] != DROPOUT_RATE:
            lines.append(explain("dropout_rate", rate=found[dropouts[0]][1]))
        raise Verdict.of(*lines)


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
    _require_built(model.plain, call)
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


def _keras_callbacks(
    student: Student, inspector: Submission, found: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """The callbacks that are Keras's own ModelCheckpoint and EarlyStopping (or derive from
    them), by class: the judge asks a process without student code where Keras defines them,
    and does not trust a class's name alone."""
    memo = student.submission.memo.setdefault("keras_class_paths", {})
    known: dict[str, dict[str, Any]] = {}
    for name in CALLBACKS:
        if name not in memo:
            memo[name] = student.settle(
                inspector.request("keras_class_path", (name,), op="make"), "keras.callbacks"
            ).value
        for callback in found:
            if name not in known and memo[name] in (callback.get("classes") or []):
                known[name] = callback["config"]
    return known


CALLBACKS = ("ModelCheckpoint", "EarlyStopping")


def _callbacks_of(student: Student, inspector: Submission, path: str) -> dict[str, Any]:
    call = f"make_callbacks({path!r})"
    found = student.settle(
        student.submission.request("make_callbacks", (path,), convert="callbacks"), call
    ).value
    return {"call": call, "found": found, "known": _keras_callbacks(student, inspector, found)}


def test_callbacks(student: Student, inspector, tmp_path) -> None:
    path = str(tmp_path / "best.keras")
    made = _callbacks_of(student, inspector, path)
    call, known = made["call"], made["known"]
    checkpoint, stopping = known.get("ModelCheckpoint"), known.get("EarlyStopping")
    if checkpoint is None or stopping is None:
        names = sorted(c["class"] for c in made["found"])
        impostors = sorted({n for n in names if n in CALLBACKS and n not in known})
        lines = [say("keras.missing_callbacks", call=call, found=names)]
        if impostors:
            lines.append(say("keras.not_keras_callback", call=call, names=", ".join(impostors)))
        raise Verdict.of(*lines)
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
            raise Verdict.of(
                say("keras.callback_settings", call=call, checkpoint=checkpoint, stopping=stopping),
                explain(f"callback_{mistake}"),
            )


REFERENCE_STOPPING = {"monitor": "val_loss", "patience": 2, "restore_best_weights": True}
"""The notes' EarlyStopping, for the grader's own run when the student's make_callbacks has none."""


def _training(
    student: Student,
    inspector: Submission,
    trainer: Submission,
    tmp_path_factory: pytest.TempPathFactory,
) -> dict[str, Any]:
    """One run of ``train_with_callbacks`` and one of the grader's own, shared by the three
    checks that judge them."""
    memo = student.submission.memo
    if "training" not in memo:
        try:
            base = tmp_path_factory.getbasetemp()
            folder = tmp_path_factory.mktemp("checkpoint")
            memo["training"] = _train(student, inspector, trainer, folder)
            memo["training"]["base"] = base
        except Verdict as verdict:
            memo["training"] = verdict
    result = memo["training"]
    if isinstance(result, Verdict):
        raise Verdict.of(result)
    return result


def _train(
    student: Student, inspector: Submission, trainer: Submission, tmp_dir: Path
) -> dict[str, Any]:
    """The student's run on the grader's model, observed by what it did (the optimizer's step
    count, the weights it ended with, the file it wrote), and the grader's own run, in a process
    without student code, with a real EarlyStopping built from the student's settings."""
    X_train, X_val, y_train, y_val = _images()
    path = str(tmp_dir / "best.keras")
    shown = f"<tmp>/{tmp_dir.name}/best.keras"
    call = (
        f"train_with_callbacks(model, X_train, y_train, X_val, y_val, {shown!r}, "
        f"epochs={EPOCH_LIMIT}, batch_size={BATCH_SIZE})"
    )
    model = student.submission.request(
        "digits_image_classifier", kwargs={"seed_value": SEED}, op="make", keep=True
    )
    model = student.settle(model, say("words.model_to_train")).value  # an import error here
    try:
        known = _callbacks_of(student, inspector, path)["known"]
    except Verdict:
        known = {}
    stopping = known.get("EarlyStopping")
    gold = grader_runs.started(
        trainer,
        "callback_training_run",
        (stopping or REFERENCE_STOPPING, X_train, y_train, X_val, y_val),
        {"epochs": EPOCH_LIMIT, "batch_size": BATCH_SIZE},
    )
    answer = student.submission.request(
        "train_with_callbacks",
        (model, X_train, y_train, X_val, y_val, path),
        {"epochs": EPOCH_LIMIT, "batch_size": BATCH_SIZE},
        convert="history",
    )
    history = student.settle(answer, call).value
    steps = student.submission.request("optimizer_steps", (model,), op="make")
    weights = student.submission.request("itself", (model,), op="make", convert="model")
    return {
        "call": call,
        "path": path,
        "steps": student.settle(steps, "model.optimizer.iterations").value,
        "asked_epochs": history["params"].get("epochs"),
        "model": student.settle(weights, say("words.trained_model")).value,
        "checkpoint": known.get("ModelCheckpoint"),
        "stopping": stopping,
        "gold": student.settle(gold.answer(), say("words.graders_fit")).value,
    }


def _shown(path: Path, run: dict[str, Any]) -> str:
    return shown_path(path, run["base"])


def _steps_per_epoch(batch_size: int = BATCH_SIZE) -> int:
    return math.ceil(len(_images()[2]) / batch_size)


def _same(weights: list[np.ndarray], gold: list[np.ndarray]) -> bool:
    return len(weights) == len(gold) and all(
        np.shape(m) == np.shape(g) and np.allclose(m, g, rtol=WEIGHT_RTOL, atol=1e-6)
        for m, g in zip(weights, gold, strict=True)
    )


def _weights(model: dict[str, Any]) -> list[np.ndarray]:
    return [np.asarray(w, dtype=float) for layer in model["layers"] for w in layer["weights"]]


def _evidence(run: dict[str, Any]) -> list[Explanation]:
    """Hints the step count of the student's fit gives evidence for: every step of the epoch
    limit while the grader's fit with the same callbacks stopped (the callbacks never reached
    fit), or whole epochs of fit's default batch size that no whole number of epochs of the
    given one makes (batch_size was dropped)."""
    steps, full = run["steps"], EPOCH_LIMIT * _steps_per_epoch()
    hints = []
    if run["stopping"] is not None and steps == full and run["gold"]["steps"] < full:
        hints.append(explain("callbacks_not_passed"))
    if steps % _steps_per_epoch(32) == 0 and steps % _steps_per_epoch() != 0:
        hints.append(explain("batch_size_ignored"))
    return hints


def test_stops_early(student: Student, inspector, trainer, tmp_path_factory) -> None:
    run = _training(student, inspector, trainer, tmp_path_factory)
    gold = run["gold"]
    if run["stopping"] is None:
        raise Verdict(say("keras.no_early_stopping", call=run["call"]))
    if run["steps"] != gold["steps"]:
        spe = _steps_per_epoch()
        lines = [
            say(
                "keras.not_early_stopping",
                call=run["call"],
                steps=run["steps"],
                epochs=run["steps"] / spe,
                batch_size=BATCH_SIZE,
                expected=gold["steps"] // spe,
                best=int(np.argmin(gold["val_loss"])) + 1,
            )
        ]
        lines += _evidence(run)
        raise Verdict.of(*lines)
    if run["asked_epochs"] != EPOCH_LIMIT:  # the steps agree: early stopping hid epochs=100
        raise Verdict.of(
            say(
                "keras.wrong_value",
                call=f"{run['call']}: History.params['epochs']",
                received=run["asked_epochs"],
                expected=EPOCH_LIMIT,
            ),
            explain("epochs_hard_coded", epochs=run["asked_epochs"], asked=EPOCH_LIMIT),
        )


def _not_best(run: dict[str, Any], what: str, weights: list[np.ndarray], loss: float) -> str:
    best = float(min(run["gold"]["val_loss"]))
    return say("keras.not_best", call=run["call"], what=what, loss=loss, best=best)


def test_checkpoint_is_best(student: Student, inspector, trainer, tmp_path_factory) -> None:
    run = _training(student, inspector, trainer, tmp_path_factory)
    path = Path(run["path"])
    if path.is_symlink():
        raise Verdict(say("keras.link_not_checkpoint", call=run["call"], path=_shown(path, run)))
    if not path.is_file():
        raise Verdict.of(
            say("keras.no_file", call=run["call"], path=_shown(path, run)), *_evidence(run)
        )
    saved = inspector.request("load_saved_model", (str(path),), op="make", convert="model")
    if saved.error is not None:
        raise Verdict(
            say(
                "keras.unreadable_file",
                call=run["call"],
                path=_shown(path, run),
                message=f"{saved.error.type}: {saved.error.message}",
            )
        )
    weights = _weights(saved.value)
    if _same(weights, run["gold"]["best"]):
        return
    _, X_val, _, y_val = _images()
    lines = [
        _not_best(
            run,
            say("words.checkpoint"),
            weights,
            keras_numpy.sparse_crossentropy(saved.value, X_val, y_val),
        )
    ]
    lines += _evidence(run)
    checkpoint = run["checkpoint"] or {}
    if checkpoint.get("save_best_only") is not True and _same(weights, run["gold"]["last"]):
        lines.append(explain("callback_save_best_only"))
    raise Verdict.of(*lines)


def test_restores_best_weights(student: Student, inspector, trainer, tmp_path_factory) -> None:
    run = _training(student, inspector, trainer, tmp_path_factory)
    weights = _weights(run["model"])
    if _same(weights, run["gold"]["best"]):
        return
    _, X_val, _, y_val = _images()
    lines = [
        _not_best(
            run,
            say("words.trained_model"),
            weights,
            keras_numpy.sparse_crossentropy(run["model"], X_val, y_val),
        )
    ]
    lines += _evidence(run)
    stopping = run["stopping"] or {}
    if stopping.get("restore_best_weights") is not True and _same(weights, run["gold"]["last"]):
        lines.append(explain("callback_restore_best_weights"))
    raise Verdict.of(*lines)
