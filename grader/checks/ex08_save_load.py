"""Checks of ex08_save_load: weights only and whole models, ``.keras`` and legacy ``.h5``.

Files the student's code writes are opened by a process that runs grader code only, with
Keras's safe mode (``grader.worker.provided.load_saved_model``); a file that will not load fails its
check with the reason. The judge compares weights exactly and recomputes predictions from them.
"""

from pathlib import Path
from typing import Any

import numpy as np

from grader.catalog import SEED
from grader.judge import keras_numpy
from grader.judge.process import Submission
from grader.judge.student import Student
from grader.judge.verdict import Verdict, describe, explain, shown_path
from grader.protocol import Handle
from grader.words import say

EXERCISE = "ex08_save_load"
PROBE = np.random.default_rng(8).standard_normal((16, 4))
"""Inputs the judge predicts on, to show a round trip changes no prediction."""


def _original(student: Student) -> tuple[Handle, dict[str, Any]]:
    answer = student.submission.request(
        "small_model", kwargs={"seed_value": SEED}, op="make", keep=True, convert="model"
    )
    answer = student.settle(answer, say("words.model_to_save"))
    return answer.value, answer.plain


def _same_model(found: dict[str, Any], original: dict[str, Any], call: str, what: str) -> None:
    """The same layers, identical weights, identical predictions."""
    classes = [layer["class"] for layer in found["layers"]]
    if classes != [layer["class"] for layer in original["layers"]]:
        raise Verdict(say("keras.roundtrip_layers", call=call, what=what, received=classes))
    for layer, gold in zip(found["layers"], original["layers"], strict=True):
        mine = [np.asarray(w) for w in layer["weights"]]
        if len(mine) != len(gold["weights"]) or not all(
            m.shape == g.shape and np.array_equal(m, g)
            for m, g in zip(mine, gold["weights"], strict=True)
        ):
            raise Verdict(say("keras.roundtrip_weights", call=call, what=what))
    if not np.array_equal(keras_numpy.forward(found, PROBE), keras_numpy.forward(original, PROBE)):
        raise Verdict(say("keras.roundtrip_predictions", call=call, what=what))


LEGACY_SUFFIXES = (".h5", ".hdf5")
"""A legacy whole-model file: Keras writes and reads the same HDF5 format under both names."""


def _saved_path(value: Any, call: str, folder: Path, suffixes: tuple[str, ...]) -> Path:
    if not isinstance(value, str):
        raise Verdict(say("keras.path_expected", call=call, received=describe(value)))
    path = Path(value)
    if not path.is_absolute():
        path = folder / path
    if not path.name.endswith(suffixes):
        raise Verdict(
            say("keras.wrong_suffix", call=call, path=path.name, suffix=" or ".join(suffixes))
        )
    if path.resolve().parent != folder.resolve():
        shown = shown_path(folder, folder.parent)
        raise Verdict(say("keras.outside_folder", call=call, path=value, folder=shown))
    if path.is_symlink():
        raise Verdict(say("keras.link_not_file", call=call, path=path.name))
    if not path.is_file():
        raise Verdict(say("keras.no_file", call=call, path=path.name))
    return path


def _open(inspector: Submission, factory: str, path: Path, call: str) -> dict[str, Any]:
    answer = inspector.request(factory, (str(path),), op="make", convert="model")
    if answer.error is not None:
        raise Verdict(
            say(
                "keras.unreadable_file",
                call=call,
                path=path.name,
                message=f"{answer.error.type}: {answer.error.message}",
            )
        )
    return answer.value


def test_save_weights(student: Student, inspector: Submission, tmp_path: Path) -> None:
    model, original = _original(student)
    call = f"save_weights(model, {shown_path(tmp_path, tmp_path.parent)!r})"
    value = student.settle(
        student.submission.request("save_weights", (model, str(tmp_path))), call
    ).value
    path = _saved_path(value, call, tmp_path, (".weights.h5",))
    _same_model(
        _open(inspector, "load_saved_weights", path, call),
        original,
        call,
        say("words.loaded_weights"),
    )


def _grader_saved(student: Student, factory: str, path: Path) -> tuple[Handle, dict[str, Any]]:
    model, original = _original(student)
    student.settle(
        student.submission.request(factory, (model, str(path)), op="make"),
        say("words.saving_model"),
    )
    return model, original


def test_load_weights(student: Student, tmp_path: Path) -> None:
    path = tmp_path / "model.weights.h5"
    _, original = _grader_saved(student, "save_weights_file", path)
    model_fn = student.submission.request("small_model_fn", op="make", keep=True).value
    call = f"load_weights(model_fn, {shown_path(path, tmp_path.parent)!r})"
    answer = student.submission.request("load_weights", (model_fn, str(path)), convert="model")
    _same_model(student.settle(answer, call).value, original, call, say("words.returned_model"))


def test_save_model(student: Student, inspector: Submission, tmp_path: Path) -> None:
    _save_model(student, inspector, tmp_path, legacy=False)


def test_save_model_legacy(student: Student, inspector: Submission, tmp_path: Path) -> None:
    _save_model(student, inspector, tmp_path, legacy=True)


def _save_model(student: Student, inspector: Submission, folder: Path, legacy: bool) -> None:
    model, original = _original(student)
    call = f"save_model(model, {shown_path(folder, folder.parent)!r}, legacy={legacy})"
    value = student.settle(
        student.submission.request("save_model", (model, str(folder)), {"legacy": legacy}), call
    ).value
    path = _saved_path(value, call, folder, LEGACY_SUFFIXES if legacy else (".keras",))
    if legacy and path.name.endswith(".weights.h5"):
        raise Verdict(say("keras.weights_not_model", call=call, path=path.name))
    _same_model(
        _open(inspector, "load_saved_model", path, call), original, call, say("words.loaded_model")
    )


def test_load_model(student: Student, inspector: Submission, tmp_path: Path) -> None:
    """Both formats load; a file holding a ``Lambda`` layer's code, which Keras's safe mode
    refuses, is refused (Keras's ``ValueError`` reaches the caller)."""
    for name in ("model.keras", "model.h5"):
        path = tmp_path / name
        _, original = _grader_saved(student, "save_model_file", path)
        call = f"load_model({shown_path(path, tmp_path.parent)!r})"
        answer = student.submission.request("load_model", (str(path),), convert="model")
        _same_model(student.settle(answer, call).value, original, call, say("words.returned_model"))
    folder = tmp_path / "untrusted"
    folder.mkdir()
    folder.chmod(0o777)  # the grader-only process writes here, as a user of its own
    path = folder / "untrusted.keras"
    student.settle(
        inspector.request("lambda_model_file", (str(path),), op="make"),
        say("words.saving_untrusted_model"),
    )
    call = f"load_model({shown_path(path, tmp_path.parent)!r})"
    answer = student.submission.request("load_model", (str(path),), keep=True)
    if answer.error is None:
        raise Verdict.of(say("keras.unsafe_loaded", call=call), explain("safe_mode_off"))
    if answer.error.kind != "exception":
        student.settle(answer, call)
    if answer.error.type != "ValueError":
        raise Verdict(say("keras.unsafe_other_error", call=call, type=answer.error.type))


def test_different_architecture(student: Student, tmp_path: Path) -> None:
    """Weights saved from one architecture load into the same one, and raise ``ValueError``
    (Keras's error) for another: never a model returned as if loaded."""
    path = tmp_path / "model.weights.h5"
    _, original = _grader_saved(student, "save_weights_file", path)
    same_fn = student.submission.request("small_model_fn", op="make", keep=True).value
    call = f"load_weights(model_fn, {path.name!r})"
    same = student.submission.request("load_weights", (same_fn, str(path)), convert="model")
    _same_model(student.settle(same, call).value, original, call, say("words.returned_model"))
    other_fn = student.submission.request("small_model_fn", (5,), op="make", keep=True).value
    call = f"load_weights(model_fn_with_5_hidden_units, {path.name!r})"
    answer = student.submission.request("load_weights", (other_fn, str(path)))
    if answer.error is None:
        raise Verdict.of(
            say("keras.mismatch_unnoticed", call=call), explain("architecture_mismatch_silenced")
        )
    if answer.error.kind != "exception":
        student.settle(answer, call)
    if answer.error.type != "ValueError":
        raise Verdict.of(
            say("keras.mismatch_other_error", call=call, type=answer.error.type),
            explain("architecture_mismatch_silenced"),
        )
