"""Checks of ex05_build_compile: the output layer, the loss, the model, its size, its compile.

Every check reads configuration, never printed text: the model crosses from the student's
process as plain data (``grader.worker.to_plain.model``: layer classes and configs, shapes,
``count_params``, ``get_compile_config()``), and the judge compares that with the course's
rules and with parameter counts it computes itself.
"""

import itertools
from typing import Any

import numpy as np

from grader.catalog import SEED
from grader.judge import grader_runs, keras_numpy
from grader.judge.process import Submission
from grader.judge.student import Student
from grader.judge.verdict import Verdict, describe, explain, float32_as_written
from grader.words import say

EXERCISE = "ex05_build_compile"
N_CLASSES = 10
OUTPUT = {  # task -> (activations accepted, units)
    "binary": (("sigmoid",), 1),
    "multiclass": (("softmax",), N_CLASSES),
    "multiclass_onehot": (("softmax",), N_CLASSES),
    "regression": (("linear", None), 1),
}
LOSSES = {
    "binary": {"binarycrossentropy"},
    "multiclass": {"sparsecategoricalcrossentropy"},
    "multiclass_onehot": {"categoricalcrossentropy"},
    "regression": {"meansquarederror", "mse"},
}
LOSS_NAMES = {
    "binary": "binary_crossentropy",
    "multiclass": "sparse_categorical_crossentropy",
    "multiclass_onehot": "categorical_crossentropy",
    "regression": "mean_squared_error",
}
"""How the README writes each task's loss; LOSSES holds every spelling accepted."""
ACCURACY_NAMES = {
    "accuracy",
    "acc",
    "binaryaccuracy",
    "sparsecategoricalaccuracy",
    "categoricalaccuracy",
}
MODELS = [  # (input_dim, hidden, task, n_classes)
    (64, [(32, "relu"), (16, "tanh")], "multiclass", 10),
    (30, [(8, "relu")], "binary", 2),
    (13, [], "regression", 2),
]
COMPILES = [  # (task, optimizer, learning rate or None, Keras class, rate Keras uses)
    ("multiclass", "adam", None, "Adam", 0.001),
    ("binary", "sgd", 0.05, "SGD", 0.05),
    ("regression", "rmsprop", 0.01, "RMSprop", 0.01),
    ("multiclass_onehot", "adagrad", 0.2, "Adagrad", 0.2),
]


def _canonical(name: Any) -> str:
    """A loss or metric name as compile accepts it, reduced to compare: "BinaryCrossentropy",
    "binary_crossentropy" and a serialised loss object all give "binarycrossentropy"."""
    if isinstance(name, dict):
        config = name.get("config")
        name = config.get("name") if isinstance(config, dict) else name.get("class_name")
    return str(name).lower().replace("_", "") if name is not None else ""


def _value(student: Student, function: str, *args: Any) -> Any:
    words = ", ".join(repr(a) for a in args)
    return student.call(function, *args, text=f"{function}({words})").value


def test_output_layer(student: Student) -> None:
    for task, (activations, units) in OUTPUT.items():
        activation = _value(student, "output_activation", task)
        count = _value(student, "output_units", task, N_CLASSES)
        if activation not in activations:
            lines = [
                say(
                    "keras.wrong_value",
                    call=f"output_activation({task!r})",
                    received=describe(activation),
                    expected=" or ".join(map(repr, activations)),
                )
            ]
            if task == "binary" and activation == "softmax":
                lines.append(explain("softmax_for_binary"))
            raise Verdict.of(*lines)
        if count != units or isinstance(count, bool):
            lines = [
                say(
                    "keras.wrong_value",
                    call=f"output_units({task!r}, {N_CLASSES})",
                    received=describe(count),
                    expected=repr(units),
                )
            ]
            if task == "binary" and count == 2:
                lines.append(explain("two_units_for_binary"))
            raise Verdict.of(*lines)


def test_loss_for(student: Student) -> None:
    for task, accepted in LOSSES.items():
        name = _value(student, "loss_for", task)
        if _canonical(name) not in accepted or not isinstance(name, str):
            lines = [
                say(
                    "keras.wrong_value",
                    call=f"loss_for({task!r})",
                    received=describe(name),
                    expected=repr(LOSS_NAMES[task]),
                )
            ]
            mismatch = {
                "multiclass": "categoricalcrossentropy",
                "multiclass_onehot": "sparsecategoricalcrossentropy",
            }
            if mismatch.get(task) == _canonical(name):
                lines.append(explain("sparse_onehot_mismatch"))
            raise Verdict.of(*lines)


def expected_params(input_dim: int, units: list[int]) -> int:
    """Each Dense layer after one of size n_in: n_in * units weights and units biases."""
    sizes = [input_dim, *units]
    return sum((n_in + 1) * n_out for n_in, n_out in itertools.pairwise(sizes))


def _dense_layers(model: dict[str, Any], call: str) -> list[dict[str, Any]]:
    layers = keras_numpy.computing_layers(model)
    others = [layer["class"] for layer in layers if layer["class"] != "Dense"]
    if others:
        raise Verdict(say("keras.not_dense", call=call, found=", ".join(others)))
    return layers


def test_build_model(student: Student) -> None:
    for input_dim, hidden, task, n_classes in MODELS:
        call = f"build_model({input_dim}, {hidden}, {task!r}, {n_classes})"
        answer = student.submission.request(
            "build_model", (input_dim, hidden, task, n_classes), convert="model"
        )
        model = student.settle(answer, call).value
        if not model["built"]:
            raise Verdict.of(say("keras.not_built", call=call), explain("missing_input"))
        if model["input_shape"] != [None, input_dim]:
            raise Verdict.of(
                say(
                    "keras.wrong_value",
                    call=f"{call}.input_shape",
                    received=model["input_shape"],
                    expected=[None, input_dim],
                ),
                explain("wrong_input_shape", input_dim=input_dim),
            )
        layers = _dense_layers(model, call)
        out_activations, units = OUTPUT[task]
        units = n_classes if task.startswith("multiclass") else units
        wanted = [*hidden, (units, out_activations[0] or "linear")]
        found = [
            (layer["config"].get("units"), layer["config"].get("activation")) for layer in layers
        ]
        if found != [(u, a) for u, a in wanted]:
            raise Verdict(say("keras.wrong_layers", call=call, received=found, expected=wanted))
        count = expected_params(input_dim, [u for u, _ in wanted])
        if model["count_params"] != count:
            raise Verdict(
                say(
                    "keras.wrong_value",
                    call=f"{call}.count_params()",
                    received=model["count_params"],
                    expected=count,
                )
            )


def test_count_params(student: Student) -> None:
    for input_dim, units in ((64, [32, 16, 10]), (30, [8, 1]), (784, [100, 10]), (13, [1])):
        count = _value(student, "count_params", input_dim, units)
        gold = expected_params(input_dim, units)
        if count != gold or isinstance(count, bool):
            lines = [
                say(
                    "keras.wrong_value",
                    call=f"count_params({input_dim}, {units})",
                    received=describe(count),
                    expected=gold,
                )
            ]
            weights_only = expected_params(input_dim, units) - sum(units)
            if count == weights_only:
                lines.append(explain("params_without_biases"))
            raise Verdict.of(*lines)


def _optimizer(compiled: dict[str, Any]) -> tuple[str, float | None]:
    optimizer = compiled.get("optimizer")
    if isinstance(optimizer, dict):
        rate = (optimizer.get("config") or {}).get("learning_rate")
        return str(optimizer.get("class_name")), rate if isinstance(rate, float | int) else None
    return str(optimizer), None


STEPPED = ("binary", "multiclass_onehot")
"""The compiles also checked by a training step: one with SGD, one with Adagrad, both with a
crossentropy (which a loss object with ``from_logits=True`` changes), each about a second."""
STEP_BATCH = 16
STEP_RTOL = 1e-5
"""One training step of the student's compiled model must move its weights as the grader's
model compiled as prescribed moves them, to within float32 rounding."""


def _step_batch(task: str) -> tuple[np.ndarray, np.ndarray]:
    """A seeded batch of 8 features and its targets, in the form ``task``'s loss takes."""
    rng = np.random.default_rng([SEED, 5])
    x = rng.normal(size=(STEP_BATCH, 8)).astype(np.float32)
    classes = rng.integers(0, N_CLASSES, size=STEP_BATCH)
    y = {
        "binary": (classes % 2).astype(np.float32).reshape(-1, 1),
        "multiclass": classes,
        "multiclass_onehot": np.eye(N_CLASSES, dtype=np.float32)[classes],
        "regression": rng.normal(size=(STEP_BATCH, 1)).astype(np.float32),
    }[task]
    return x, y


def _trains_as_compiled(
    student: Student, inspector: Submission, model: Any, before: dict[str, Any], case: tuple
) -> None:
    """One step of ``train_on_batch`` of the student's compiled model (in its process, by
    Keras's own method) against the grader's (the same weights compiled as prescribed, in a
    process without student code): the settings a model reports are not what it trains with
    unless the step agrees."""
    task, optimizer, rate, keras_class, keras_rate = case
    call = f"compile_model(model, {task!r}, {optimizer!r}, {rate!r})"
    x, y = _step_batch(task)
    gold = grader_runs.started(  # handed the student's model: not kept for other judges
        inspector,
        "compiled_step",
        (before, keras_class, keras_rate, LOSS_NAMES[task], x, y),
        kept=False,
    )
    stepped = student.submission.request(
        "one_training_step", (model, x, y), op="make", convert="model"
    )
    mine = [
        np.asarray(w)
        for layer in student.settle(stepped, call).value["layers"]
        for w in layer["weights"]
    ]
    expected = student.settle(gold.answer(), say("words.graders_fit")).value
    differences = [
        float(np.max(np.abs(m - g) / (np.abs(g) + 1e-6))) if np.shape(m) == np.shape(g) else np.inf
        for m, g in zip(mine, expected, strict=False)
    ]
    if len(mine) != len(expected) or max(differences) > STEP_RTOL:
        raise Verdict(
            say(
                "keras.compile_step",
                call=call,
                batch=STEP_BATCH,
                expected=f"{keras_class}(learning_rate={keras_rate:g}) and {LOSS_NAMES[task]!r}",
                difference=max(differences, default=float("inf")),
                tolerance=STEP_RTOL,
            )
        )


def test_compile_model(student: Student, inspector) -> None:
    for case in COMPILES:
        task, optimizer, rate, keras_class, keras_rate = case
        units = N_CLASSES if task.startswith("multiclass") else 1
        activation = OUTPUT[task][0][0] or "linear"
        model = student.submission.request(
            "dense_model", (8, [(4, "relu")], units, activation), op="make", keep=True
        ).value
        before = student.settle(
            student.submission.request("itself", (model,), op="make", convert="model"),
            say("words.model_to_train"),
        ).value
        call = f"compile_model(model, {task!r}, {optimizer!r}, {rate!r})"
        answer = student.submission.request(
            "compile_model", (model, task, optimizer, rate), convert="model"
        )
        compiled = student.settle(answer, call).value.get("compiled")
        if not compiled:
            raise Verdict(say("keras.not_compiled", call=call))
        name, learning_rate = _optimizer(compiled)
        if name != keras_class:
            raise Verdict(
                say(
                    "keras.wrong_value",
                    call=f"{call}: {say('words.optimizer')}",
                    received=name,
                    expected=keras_class,
                )
            )
        if learning_rate is None or abs(learning_rate - keras_rate) > 1e-6 * keras_rate:
            raise Verdict.of(
                say(
                    "keras.wrong_value",
                    call=f"{call}: {say('words.learning_rate')}",
                    received=float32_as_written(learning_rate),
                    expected=float32_as_written(keras_rate),
                ),
                explain("learning_rate_ignored" if rate else "default_rate"),
            )
        if _canonical(compiled.get("loss")) not in LOSSES[task]:
            raise Verdict(
                say(
                    "keras.wrong_value",
                    call=f"{call}: {say('words.loss')}",
                    received=describe(compiled.get("loss")),
                    expected=repr(LOSS_NAMES[task]),
                )
            )
        metrics = {_canonical(m) for m in compiled.get("metrics") or []}
        if (task != "regression") != bool(metrics & ACCURACY_NAMES):
            raise Verdict(
                say(
                    "keras.wrong_metrics",
                    call=call,
                    received=sorted(metrics),
                    expected="['accuracy']" if task != "regression" else say("words.no_metrics"),
                )
            )
        if task in STEPPED:
            _trains_as_compiled(student, inspector, model, before, case)
