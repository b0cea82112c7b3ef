"""Records what tf.keras returns for every check's inputs: ``python -m grader.commands.record``.

Run it again after changing a case; the kit's tests (``tests/test_golden.py``) re-run every
recorder against the installed tf.keras and fail if a stored value no longer matches.
Importing this module imports TensorFlow; the checks themselves never do.
"""

import os
from collections.abc import Callable

import numpy as np

from grader.catalog import SEED
from grader.judge.cases import Case, golden_path, save_cases

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras
import tensorflow as tf

OPTIMIZER_STEPS = 20


def _normal(rng: np.random.Generator, shape: tuple[int, ...], dtype: str, scale: float = 3.0):
    x = (rng.standard_normal(shape) * scale).astype(dtype)
    if x.ndim and x.size > 2:
        x.flat[1] = 0  # every non-scalar input holds an exact zero: relu's kink
    return x


def _activation_inputs(rng: np.random.Generator) -> list[tuple[str, np.ndarray]]:
    return [
        ("0-d float64 array", np.array(0.75)),
        ("1-d float64 array", _normal(rng, (7,), "float64")),
        ("2-d float32 array", _normal(rng, (4, 5), "float32")),
        ("3-d float64 array", _normal(rng, (2, 3, 4), "float64")),
    ]


EXTREMES = np.array([-1e4, -1000.0, -50.0, -1.0, 0.0, 1.0, 50.0, 1000.0, 1e4])


def _keras_activation(name: str, x: np.ndarray, **kwargs) -> np.ndarray:
    return np.asarray(getattr(keras.activations, name)(tf.constant(x), **kwargs))


def _tape_gradient(name: str, x: np.ndarray, **kwargs) -> np.ndarray:
    variable = tf.Variable(x)
    with tf.GradientTape() as tape:
        y = getattr(keras.activations, name)(variable, **kwargs)
    return np.asarray(tape.gradient(y, variable))


def record_activations() -> list[Case]:
    rng = np.random.default_rng(SEED)
    inputs = _activation_inputs(rng)
    cases: list[Case] = []

    def add(check: str, function: str, description: str, x: np.ndarray, expected, **kwargs):
        cases.append(
            Case(
                id=f"{check}/{description}",
                check=check,
                function=function,
                description=description,
                kwargs=kwargs,
                arrays={"x": x, "expected": expected},
            )
        )

    for name in ("sigmoid", "tanh", "relu"):
        for description, x in inputs:
            add(name, name, description, x, _keras_activation(name, x))
            add(f"{name}_grad", f"{name}_grad", description, x, _tape_gradient(name, x))
    for name in ("sigmoid", "tanh"):
        for dtype in ("float64", "float32"):
            x = EXTREMES.astype(dtype)
            add(f"{name}_extreme", name, f"extreme {dtype} values", x, _keras_activation(name, x))
    for description, x in inputs:
        add(
            "leaky_relu",
            "leaky_relu",
            f"{description}, default slope",
            x,
            _keras_activation("leaky_relu", x),
        )
        add(
            "leaky_relu_grad",
            "leaky_relu_grad",
            f"{description}, default slope",
            x,
            _tape_gradient("leaky_relu", x),
        )
    for slope in (0.1, 0.3):
        x = inputs[2][1]
        add(
            "leaky_relu",
            "leaky_relu",
            f"2-d float32 array, negative_slope={slope}",
            x,
            _keras_activation("leaky_relu", x, negative_slope=slope),
            negative_slope=slope,
        )
        add(
            "leaky_relu_grad",
            "leaky_relu_grad",
            f"2-d float32 array, negative_slope={slope}",
            x,
            _tape_gradient("leaky_relu", x, negative_slope=slope),
            negative_slope=slope,
        )
    for description, x in inputs[1:]:
        add("softmax", "softmax", description, x, _keras_activation("softmax", x))
    x3 = inputs[3][1]
    for axis in (0, 1, -2):
        add(
            "softmax_axis",
            "softmax",
            f"3-d float64 array, axis={axis}",
            x3,
            _keras_activation("softmax", x3, axis=axis),
            axis=axis,
        )
    x2 = inputs[2][1]
    add(
        "softmax_axis",
        "softmax",
        "2-d float32 array, axis=0",
        x2,
        _keras_activation("softmax", x2, axis=0),
        axis=0,
    )
    big = {
        "[1000, 1001]": np.array([1000.0, 1001.0]),
        "rows of large values": np.array([[-1000.0, -1001.0, -1002.0], [1e4, 0.0, -1e4]]),
        "large float32 values": np.array([[500.0, 1000.0, 999.0]], dtype="float32"),
    }
    for description, x in big.items():
        add("softmax_extreme", "softmax", description, x, _keras_activation("softmax", x))
    return cases


def _probabilities(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return rng.uniform(0.05, 0.95, size=shape).astype(dtype)


def _one_hot(labels: np.ndarray, classes: int, dtype: str) -> np.ndarray:
    return np.eye(classes, dtype=dtype)[labels]


def _softmax_rows(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    z = np.exp(rng.standard_normal(shape))
    return (z / z.sum(axis=-1, keepdims=True)).astype(dtype)


def record_losses() -> list[Case]:
    rng = np.random.default_rng(SEED + 1)
    cases: list[Case] = []

    def add(check: str, function: str, description: str, y_true, y_pred):
        expected = np.asarray(
            getattr(keras.losses, function)(tf.constant(y_true), tf.constant(y_pred))
        )
        cases.append(
            Case(
                id=f"{check}/{function}/{description}",
                check=check,
                function=function,
                description=description,
                arrays={"y_true": y_true, "y_pred": y_pred, "expected": expected},
            )
        )

    for shape, dtype in (
        ((6, 1), "float64"),
        ((4, 3), "float32"),
        ((2, 3, 2), "float64"),
        ((5,), "float64"),
    ):
        y_true = rng.integers(0, 2, size=shape).astype(dtype)
        add(
            "binary_crossentropy",
            "binary_crossentropy",
            f"{len(shape)}-d {dtype} shape {shape}",
            y_true,
            _probabilities(rng, shape, dtype),
        )
    for shape, dtype in (((5, 4), "float64"), ((6, 3), "float32"), ((2, 3, 4), "float64")):
        labels = rng.integers(0, shape[-1], size=shape[:-1])
        y_pred = _softmax_rows(rng, shape, dtype)
        description = f"{len(shape)}-d {dtype} shape {shape}"
        add(
            "categorical_crossentropy",
            "categorical_crossentropy",
            description,
            _one_hot(labels, shape[-1], dtype),
            y_pred,
        )
        add(
            "sparse_categorical_crossentropy",
            "sparse_categorical_crossentropy",
            description,
            labels.astype("int64"),
            y_pred,
        )
    for shape, dtype in (
        ((5, 3), "float64"),
        ((4, 1), "float32"),
        ((2, 3, 2), "float64"),
        ((6,), "float64"),
    ):
        add(
            "mean_squared_error",
            "mean_squared_error",
            f"{len(shape)}-d {dtype} shape {shape}",
            rng.standard_normal(shape).astype(dtype),
            rng.standard_normal(shape).astype(dtype),
        )

    certain = np.array([[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.5, 0.5, 0.0]])
    add(
        "crossentropy_clipping",
        "binary_crossentropy",
        "predictions of exactly 0 and 1",
        np.array([[0.0, 1.0, 1.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0], [1.0, 0.0, 1.0]]),
        certain,
    )
    add(
        "crossentropy_clipping",
        "categorical_crossentropy",
        "probability 0 for the true class",
        _one_hot(np.array([1, 1, 0, 2]), 3, "float64"),
        certain,
    )
    add(
        "crossentropy_clipping",
        "sparse_categorical_crossentropy",
        "probability 0 for the true class",
        np.array([1, 1, 0, 2]),
        certain,
    )
    return cases


OPTIMIZER_CASES: list[tuple[str, str, dict, list[tuple[int, ...]]]] = [
    ("sgd", "SGD", {"learning_rate": 0.05}, [(4,), (3, 2), (2, 2, 2)]),
    ("sgd_momentum", "SGD", {"learning_rate": 0.01, "momentum": 0.9}, [(4,), (3, 2)]),
    ("sgd_momentum", "SGD", {"learning_rate": 0.1, "momentum": 0.5}, [(5,), (5,), (2, 3)]),
    (
        "sgd_nesterov",
        "SGD",
        {"learning_rate": 0.02, "momentum": 0.9, "nesterov": True},
        [(4,), (5,), (3, 2)],
    ),
    ("adagrad", "Adagrad", {"learning_rate": 0.1}, [(4,), (3, 2)]),
    (
        "adagrad",
        "Adagrad",
        {"learning_rate": 0.05, "initial_accumulator_value": 0.5, "epsilon": 1e-6},
        [(5,), (5,), (2, 3)],
    ),
    ("rmsprop", "RMSprop", {"learning_rate": 0.01}, [(4,), (3, 2)]),
    (
        "rmsprop",
        "RMSprop",
        {"learning_rate": 0.05, "rho": 0.8, "epsilon": 1e-6},
        [(5,), (5,), (2, 3)],
    ),
    ("adam", "Adam", {"learning_rate": 0.01}, [(4,), (3, 2)]),
    (
        "adam",
        "Adam",
        {"learning_rate": 0.05, "beta_1": 0.8, "beta_2": 0.99, "epsilon": 1e-6},
        [(5,), (5,), (2, 3)],
    ),
    ("optimizer_defaults", "SGD", {}, [(3,), (2, 2)]),
    ("optimizer_defaults", "Adagrad", {}, [(3,), (2, 2)]),
    ("optimizer_defaults", "RMSprop", {}, [(3,), (2, 2)]),
    ("optimizer_defaults", "Adam", {}, [(3,), (2, 2)]),
]
"""(check, optimizer class, keyword arguments, parameter shapes), each run for 20 steps."""


def _gradient(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Gradients of magnitude 0.2 to 2: far from 0, where only epsilon's placement would matter."""
    return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def keras_trajectory(
    class_name: str, kwargs: dict, params: list[np.ndarray], grads: list[list[np.ndarray]]
) -> list[list[np.ndarray]]:
    """The float64 parameters after each of ``len(grads)`` ``apply_gradients`` calls."""
    optimizer = getattr(keras.optimizers, class_name)(**kwargs)
    variables = [keras.Variable(w, dtype="float64") for w in params]
    trajectory = []
    for step_grads in grads:
        optimizer.apply_gradients(
            [(tf.constant(g), v) for g, v in zip(step_grads, variables, strict=True)]
        )
        trajectory.append([np.array(v.numpy()) for v in variables])
    return trajectory


def record_optimizers() -> list[Case]:
    rng = np.random.default_rng(SEED + 2)
    cases = []
    for check, class_name, kwargs, shapes in OPTIMIZER_CASES:
        params = [rng.standard_normal(shape) for shape in shapes]
        grads = [[_gradient(rng, shape) for shape in shapes] for _ in range(OPTIMIZER_STEPS)]
        trajectory = keras_trajectory(class_name, kwargs, params, grads)
        arrays = {f"params.{i}": w for i, w in enumerate(params)}
        for t in range(OPTIMIZER_STEPS):
            for i in range(len(shapes)):
                arrays[f"grads.{t}.{i}"] = grads[t][i]
                arrays[f"expected.{t}.{i}"] = trajectory[t][i]
        settings = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        shape_words = ", ".join(str(s) for s in shapes)
        cases.append(
            Case(
                id=f"{check}/{class_name}({settings})",
                check=check,
                function=class_name,
                description=f"{class_name}({settings}) on parameters of shapes {shape_words}",
                kwargs=kwargs,
                arrays=arrays,
            )
        )
    return cases


def _keras_neuron(w: np.ndarray, b: float) -> keras.Sequential:
    model = keras.Sequential([keras.Input((len(w),)), keras.layers.Dense(1, activation="sigmoid")])
    model.layers[0].set_weights([w[:, np.newaxis], np.array([b])])
    return model


def record_neuron() -> list[Case]:
    """One sigmoid neuron: Keras's Dense(1, sigmoid), its loss, its gradients, its training."""
    rng = np.random.default_rng(SEED + 3)
    keras.config.set_floatx("float64")
    cases = []

    def data(n: int, d: int, scale: float) -> dict[str, np.ndarray]:
        X = rng.standard_normal((n, d))
        w = rng.standard_normal(d) * scale
        return {
            "X": X,
            "y": (rng.uniform(size=n) < 0.5).astype(float),
            "w": w,
            "b": np.array(rng.standard_normal() * scale),
        }

    shapes = [
        ("20 samples, 5 features", 20, 5, 0.5),
        ("7 samples, 3 features", 7, 3, 1.0),
        ("saturated outputs (|z| up to about 60)", 12, 4, 20.0),
    ]
    for description, n, d, scale in shapes:
        arrays = data(n, d, scale)
        X, y, w, b = arrays["X"], arrays["y"], arrays["w"], float(arrays["b"])
        model = _keras_neuron(w, b)
        p = np.asarray(model(X))[:, 0]
        loss_value = np.asarray(keras.losses.BinaryCrossentropy()(y, p))
        with tf.GradientTape() as tape:  # the model's own output, as model.fit passes it
            loss_tensor = keras.losses.BinaryCrossentropy()(y[:, np.newaxis], model(X))
        kernel, bias = tape.gradient(loss_tensor, model.trainable_variables)
        for check, expected in (
            ("predict_proba", {"expected": p}),
            ("loss", {"expected": loss_value}),
            (
                "gradients",
                {"expected_dw": np.asarray(kernel)[:, 0], "expected_db": np.asarray(bias)[0]},
            ),
        ):
            cases.append(
                Case(
                    id=f"{check}/{description}",
                    check=check,
                    function=check,
                    description=description,
                    arrays={**arrays, **expected},
                )
            )
    for description, n, d, lr, epochs, batch_size in (
        ("100 samples, lr 0.1, 3 epochs of batches of 16", 100, 5, 0.1, 3, 16),
        ("40 samples, lr 0.5, 2 epochs of batches of 32", 40, 3, 0.5, 2, 32),
    ):
        arrays = data(n, d, 0.1)
        model = _keras_neuron(arrays["w"], float(arrays["b"]))
        model.compile(optimizer=keras.optimizers.SGD(learning_rate=lr), loss="binary_crossentropy")
        model.fit(
            arrays["X"], arrays["y"], epochs=epochs, batch_size=batch_size, shuffle=False, verbose=0
        )
        kernel, bias = model.layers[0].get_weights()
        cases.append(
            Case(
                id=f"train/{description}",
                check="train_matches_keras",
                function="train",
                description=description,
                kwargs={"learning_rate": lr, "epochs": epochs, "batch_size": batch_size},
                arrays={**arrays, "expected_w": kernel[:, 0], "expected_b": bias[0]},
            )
        )
    keras.config.set_floatx("float32")
    return cases


RECORDERS: dict[str, Callable[[], list[Case]]] = {
    "ex01_activations": record_activations,
    "ex02_losses": record_losses,
    "ex03_optimizers": record_optimizers,
    "ex04_neuron": record_neuron,
}


def main() -> None:
    keras.utils.set_random_seed(SEED)
    for exercise, record in RECORDERS.items():
        cases = record()
        save_cases(golden_path(exercise), cases)
        print(f"{golden_path(exercise)}: {len(cases)} cases")


if __name__ == "__main__":
    main()
