"""Checks of ex06_train_validate: the split, the scaling, fit with validation data, evaluate,
the best epoch and the learning curve, on the digits data that scikit-learn ships.

The judge makes its own split and scaling with scikit-learn, trains through the student's
``train`` a model the grader provides (``grader.worker.provided.digits_classifier``), then reads the
model's weights and computes the validation loss and accuracy itself
(``grader.judge.keras_numpy``) instead of trusting numbers the student's process reports.
"""

import hashlib
import math
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from grader.catalog import SEED
from grader.judge import grader_runs, keras_numpy
from grader.judge.student import Student
from grader.judge.verdict import (
    Tolerance,
    Verdict,
    as_float_array,
    check_close,
    describe,
    explain,
    gives,
    shaped,
    shown_path,
)
from grader.words import say

EXERCISE = "ex06_train_validate"
EPOCH_COUNTS = (8, 9, 11, 12)
BATCH_SIZES = (16, 24, 40, 48)
"""What ``train``'s run is drawn from: never ``fit``'s default batch size (32), nor the notes'
and the stub's epochs (10, 20), so a ``fit`` that drops an argument or hard-codes the notes'
numbers shows; at most 12 epochs, so the check stays within its time."""
ACCURACY_FLOOR = 0.9
"""The validation accuracy the provided model reaches is 0.93 to 0.96 over those settings."""


def submission_generator(student_file: Path | None, *stream: int) -> np.random.Generator:
    """A generator seeded with the kit's SEED, the first 8 bytes of the sha256 of the student's
    file (none: of no bytes) and ``stream``: the same file always draws the same settings, and
    changing the file changes them."""
    content = student_file.read_bytes() if student_file else b""
    digest = int.from_bytes(hashlib.sha256(content).digest()[:8], "big")
    return np.random.default_rng([SEED, digest, *stream])


@dataclass(frozen=True)
class TrainingRun:
    """The settings of the run ``train`` is checked with: drawn for each submission from the
    kit's SEED and the sha256 of the student's file, so that grading is repeatable while no
    file can carry weights recorded for its own run (changing the file changes the run)."""

    epochs: int
    batch_size: int
    seed: int
    """The provided model's seed (its initial weights and ``fit``'s shuffling)."""
    split_seed: int

    @classmethod
    def drawn_for(cls, student_file: Path | None) -> "TrainingRun":
        rng = submission_generator(student_file)
        return cls(
            epochs=int(rng.choice(EPOCH_COUNTS)),
            batch_size=int(rng.choice(BATCH_SIZES)),
            seed=int(rng.integers(0, 2**31 - 1)),
            split_seed=int(rng.integers(0, 2**31 - 1)),
        )

    def call(self) -> str:
        return (
            f"train(model, X_train, y_train, X_val, y_val, epochs={self.epochs}, "
            f"batch_size={self.batch_size})"
        )


SPLIT_TOLERANCE = Tolerance(rtol=1e-9, atol=1e-9)


@cache
def _digits() -> tuple[np.ndarray, np.ndarray]:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return X, y


@cache
def _split(seed: int, stratify: bool = True, scale: str = "train") -> tuple[np.ndarray, ...]:
    """The right split and scaling, or a wrong one: scale "all", "separately" or "none"."""
    from sklearn.model_selection import train_test_split
    from sklearn.preprocessing import StandardScaler

    X, y = _digits()
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y if stratify else None, random_state=seed
    )
    if scale == "none":
        return X_train, X_val, y_train, y_val
    if scale == "separately":
        return (
            StandardScaler().fit_transform(X_train),
            StandardScaler().fit_transform(X_val),
            y_train,
            y_val,
        )
    scaler = StandardScaler().fit(X if scale == "all" else X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val


def test_split_and_scale(student: Student) -> None:
    X, y = _digits()
    for seed in (42, 7):
        call = f"split_and_scale(X, y, seed={seed})"
        value = student.call("split_and_scale", X, y, seed=seed, text=call).value
        if not isinstance(value, list | tuple) or len(value) != 4:
            raise Verdict(
                say(
                    "shape.wrong_tuple",
                    call=call,
                    received=describe(value),
                    expected="(X_train, X_val, y_train, y_val)",
                )
            )
        expected = _split(seed)
        names = ("X_train", "X_val", "y_train", "y_val")
        held_out = math.ceil(0.25 * len(y))  # train_test_split's default test_size
        size_mistake = [
            shaped("validation_size", (len(y) - held_out, 64)),
            shaped("validation_size", (held_out, 64)),
        ]
        for i, (name, mine, gold) in enumerate(zip(names, value, expected, strict=True)):
            received = as_float_array(
                np.asarray(mine, dtype=float),
                f"{call}[{i}] ({name})",
                gold.shape,
                say("why.split_part", name=name),
                size_mistake,
            )
            variants = [
                gives(
                    mistake,
                    lambda s=scale, st=strat, i=i, seed=seed: _split(seed, st, s)[i],
                    SPLIT_TOLERANCE,
                )
                for mistake, scale, strat in (
                    ("scaler_fit_on_all", "all", True),
                    ("scaler_fit_on_validation", "separately", True),
                    ("not_scaled", "none", True),
                    ("split_not_stratified", "train", False),
                )
            ]
            check_close(
                received,
                gold,
                call=f"{call}[{i}] ({name})",
                case=say("words.digits_seed", seed=seed),
                source=say("words.split_source"),
                inputs={},
                tolerance=SPLIT_TOLERANCE,
                mistakes=variants,
            )


def test_iterations_per_epoch(student: Student) -> None:
    for n, batch_size in ((1437, 32), (360, 32), (100, 10), (1000, 64), (5, 32), (60000, 32)):
        call = f"iterations_per_epoch({n}, {batch_size})"
        value = student.call("iterations_per_epoch", n, batch_size, text=call).value
        gold = math.ceil(n / batch_size)
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value != gold:
            lines = [say("keras.wrong_value", call=call, received=describe(value), expected=gold)]
            if value == n // batch_size:
                lines.append(explain("last_batch_not_counted"))
            raise Verdict.of(*lines)


def _trained(student: Student, run: TrainingRun) -> tuple[dict[str, Any], dict[str, Any], Any]:
    """Train the provided model with the student's ``train``; its history, its weights and
    the model's handle in the student's process."""
    X_train, X_val, y_train, y_val = _split(run.split_seed)
    model = student.submission.request(
        "digits_classifier", kwargs={"seed_value": run.seed}, op="make", keep=True
    ).value
    call = run.call()
    answer = student.submission.request(
        "train",
        (model, X_train, y_train, X_val, y_val),
        {"epochs": run.epochs, "batch_size": run.batch_size},
        convert="history",
    )
    history = student.settle(answer, call).value
    weights = student.submission.request("itself", (model,), op="make", convert="model")
    return history, student.settle(weights, say("words.trained_model")).value, model


def test_train(student: Student, trainer) -> None:
    """The History has every epoch's validation loss, and the trained weights are those of the
    grader's own ``model.fit`` of the same model, on the same data, from the same seed (run in
    a process without student code): nothing the student's process reports is taken on trust.
    """
    run = TrainingRun.drawn_for(student.submission.student_file)
    X_train, X_val, y_train, y_val = _split(run.split_seed)
    reference = grader_runs.started(
        trainer,
        "fitted_digits_classifier",
        (X_train, y_train, X_val, y_val),
        {"epochs": run.epochs, "batch_size": run.batch_size, "seed_value": run.seed},
        convert="model",
    )
    history, model, model_handle = _trained(student, run)
    call = run.call()
    values = history["history"]
    if "val_loss" not in values:
        raise Verdict.of(
            say("keras.no_validation", call=call, found=sorted(values)),
            explain("no_validation_data"),
        )
    batches = math.ceil(len(y_train) / run.batch_size)
    steps = history["params"].get("steps")
    if steps != batches:
        lines = [
            say(
                "keras.wrong_value",
                call=f"{call}: params['steps']",
                received=steps,
                expected=batches,
            )
        ]
        if steps == math.ceil(len(y_train) / 32):  # fit's default batch size
            lines.append(explain("batch_size_ignored"))
        else:
            lines.append(say("keras.not_like_fit", call=call))
        raise Verdict.of(*lines)
    gold = student.settle(reference.answer(), say("words.graders_fit")).value
    same = all(
        np.allclose(np.asarray(m), np.asarray(g), rtol=1e-5, atol=1e-6)
        for mine, ref in zip(model["layers"], gold["layers"], strict=True)
        for m, g in zip(mine["weights"], ref["weights"], strict=True)
    )
    if not same:
        lines = [say("keras.not_like_fit", call=call)]
        counted = student.submission.request("optimizer_steps", (model_handle,), op="make")
        steps_run = counted.value if counted.error is None else None
        if isinstance(steps_run, int) and steps_run % batches == 0:
            epochs_run = steps_run // batches  # counted by the model's optimizer
            if epochs_run != run.epochs:
                lines.append(explain("epochs_ignored", epochs=epochs_run, asked=run.epochs))
        raise Verdict.of(*lines)
    loss = keras_numpy.sparse_crossentropy(model, X_val, y_val)
    reported = values["val_loss"]
    if len(reported) != run.epochs or abs(loss - reported[-1]) > 1e-3 * max(loss, 1e-3):
        raise Verdict.of(
            say("keras.inconsistent", call=call, reported=reported[-1], computed=loss),
            explain("validation_data_not_scaled_like"),
        )
    accuracy = keras_numpy.accuracy(y_val, keras_numpy.forward(model, X_val))
    if accuracy < ACCURACY_FLOOR:
        raise Verdict(
            say("keras.accuracy_floor", call=call, received=accuracy, floor=ACCURACY_FLOOR)
        )


def test_evaluate(student: Student) -> None:
    """On a freshly made model (no training needed to check ``evaluate``)."""
    model = student.submission.request(
        "digits_classifier", kwargs={"seed_value": SEED}, op="make", keep=True
    )
    weights = student.submission.request("itself", (model.value,), op="make", convert="model")
    _, X_val, _, y_val = _split(42)
    call = "evaluate(model, X_val, y_val)"
    value = student.call("evaluate", model.value, X_val, y_val, text=call).value
    if not isinstance(value, dict) or not {"loss", "accuracy"} <= set(value):
        lines = [
            say(
                "keras.wrong_dict",
                call=call,
                received=describe(value),
                expected='{"loss": ..., "accuracy": ...}',
            )
        ]
        if isinstance(value, dict) and "compile_metrics" in value:
            lines.append(explain("metrics_names_keras2"))
        raise Verdict.of(*lines)
    plain = student.settle(weights, say("words.the_model")).value
    probabilities = keras_numpy.forward(plain, X_val)
    gold = np.array(
        [
            keras_numpy.sparse_crossentropy(plain, X_val, y_val),
            keras_numpy.accuracy(y_val, probabilities),
        ]
    )
    received = as_float_array(
        np.array([value["loss"], value["accuracy"]], dtype=float),
        call,
        (2,),
        say("why.loss_accuracy"),
    )
    check_close(
        received,
        gold,
        call=say("words.as_list", call=call, items="[loss, accuracy]"),
        case=say("words.new_model"),
        source=say("words.graders_forward_pass"),
        inputs={},
        tolerance=Tolerance(rtol=1e-4, atol=1e-6),
    )


HISTORIES = [
    {"loss": [1.0, 0.6, 0.4, 0.3, 0.25, 0.2], "val_loss": [1.1, 0.7, 0.55, 0.6, 0.65, 0.8]},
    {"loss": [0.9, 0.5, 0.3], "val_loss": [0.8, 0.5, 0.45]},
    {"loss": [0.7, 0.4, 0.3, 0.2], "val_loss": [0.5, 0.6, 0.7, 0.9]},
]


def test_best_epoch(student: Student) -> None:
    for history in HISTORIES:
        call = f"best_epoch({history})"
        value = student.call("best_epoch", history, text=call).value
        gold = int(np.argmin(history["val_loss"])) + 1
        if isinstance(value, bool) or not isinstance(value, int | np.integer) or value != gold:
            lines = [say("keras.wrong_value", call=call, received=describe(value), expected=gold)]
            if value == gold - 1:
                lines.append(explain("best_epoch_zero_based"))
            elif value == int(np.argmin(history["loss"])) + 1:
                lines.append(explain("best_epoch_training_loss"))
            raise Verdict.of(*lines)


CURVE_EPOCHS = 8
CURVE_LOWEST = (3, 4, 5, 6)
"""The learning curve is drawn for a history the grader makes: 8 epochs, a training loss that
falls at every epoch and a validation loss lowest at an epoch drawn from these, for each
submission (as ``TrainingRun`` is), so that only a plot of the history given can match."""


def curve_history(student_file: Path | None) -> dict[str, list[float]]:
    """The history ``plot_learning_curve`` is checked with, drawn for this submission."""
    lowest = int(submission_generator(student_file, 6).choice(CURVE_LOWEST))
    return {
        "loss": [round(0.7**i, 4) for i in range(CURVE_EPOCHS)],
        "val_loss": [round(0.5 + 0.1 * abs(i + 1 - lowest), 4) for i in range(CURVE_EPOCHS)],
    }


def curve_shape(line: dict[str, list[float]], epochs: int) -> tuple[str, int]:
    """What a traced line shows: ``("falling", 0)`` (lower at every epoch), ``("lowest", N)``
    (falling to epoch N, rising after it), else ``("other", 0)``. The line's first and last
    columns are its first and last epochs, sampled at ``epochs`` evenly spaced columns; image
    rows grow downwards."""
    columns, rows = np.asarray(line["columns"], float), np.asarray(line["rows"], float)
    if len(columns) < epochs:
        return "other", 0
    at = np.linspace(columns[0], columns[-1], epochs)
    values = -np.interp(at, columns, rows)  # higher in the image: a larger loss
    steps = np.diff(values)
    if np.all(steps < 0):
        return "falling", 0
    lowest = int(np.argmin(values))
    if np.all(steps[:lowest] < 0) and np.all(steps[lowest:] > 0):
        return "lowest", lowest + 1
    return "other", 0


def test_plot_learning_curve(student: Student, inspector, tmp_path) -> None:
    """The PNG has two lines that follow the history given: one falling at every epoch (the
    training loss) and one lowest at the drawn epoch (the validation loss), traced from the
    pixels in a process without student code."""
    history = curve_history(student.submission.student_file)
    path = tmp_path / "curve.png"
    call = f"plot_learning_curve(history, {shown_path(path, tmp_path.parent)!r})"
    student.call("plot_learning_curve", history, str(path), text=call)
    if path.is_symlink():
        raise Verdict(say("keras.link_not_file", call=call, path=path.name))
    if not path.is_file():
        raise Verdict(say("keras.no_file", call=call, path=path.name))
    summary = inspector.request("png_summary", (str(path),), op="make")
    if summary.error is not None:
        raise Verdict(
            say("keras.unreadable_file", call=call, path=path.name, message=summary.error.message)
        )
    image = summary.value
    lines = len(image["lines"])
    if image["width"] < 200 or image["height"] < 150 or lines < 2:
        raise Verdict(
            say(
                "keras.plot_lines",
                call=call,
                lines=lines,
                width=image["width"],
                height=image["height"],
            )
        )
    lowest = int(np.argmin(history["val_loss"])) + 1
    shapes = [curve_shape(line, CURVE_EPOCHS) for line in image["lines"]]
    if ("falling", 0) not in shapes or ("lowest", lowest) not in shapes:
        found = [say(f"words.curve_{kind}", epoch=epoch) for kind, epoch in shapes]
        raise Verdict(
            say(
                "keras.curve_shape",
                call=call,
                epochs=CURVE_EPOCHS,
                lowest=lowest,
                found="; ".join(found),
            )
        )
