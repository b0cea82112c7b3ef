"""Records what tf.keras returns for every check's inputs: ``python -m grader.commands.record``.

Run it again after changing a case; the kit's tests (``tests/test_golden.py``) re-run every
recorder against the installed tf.keras and fail if a stored value no longer matches.
Importing this module imports TensorFlow; the checks themselves never do.
"""

import os
import warnings
from collections.abc import Callable

import numpy as np

from grader.catalog import SEED
from grader.checks.ex03_optimizers import trajectory_arrays
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


ZERO = np.array(0.0)
SOFTMAX_TIES = np.array([[0.0, 0.0, 0.0, 0.0], [2.5, 2.5, 2.5, 2.5], [1.0, 3.0, 3.0, -2.0]])
LARGE_TIES = np.array([[1000.0] * 3, [-1000.0] * 3, [1e4, 1e4, -1e4]], dtype="float32")
NEGATIVE = np.array([-1e4, -1000.0, -100.0, -50.0, -20.0])

EDGE_ACTIVATIONS: list[tuple[str, str, np.ndarray, dict, str]] = [
    (
        "relu",
        "0-d exact zero",
        ZERO,
        {},
        "relu's kink as a 0-d array: reveals a separate path for scalars (students add one "
        "to index x[x < 0]) that returns an int there (Python's max(0, x) gives 0, not 0.0)",
    ),
    (
        "relu_grad",
        "0-d exact zero",
        ZERO,
        {},
        "the kink as a 0-d array, where TensorFlow's gradient is 0: reveals a scalar path "
        "written with x >= 0 (the other inputs hold their zeros inside arrays)",
    ),
    *(
        (
            check,
            f"0-d exact zero, {words}",
            ZERO,
            kwargs,
            "the kink as a 0-d array, where TensorFlow's gradient is negative_slope: reveals "
            "a scalar path written with x >= 0 (the other inputs hold their zeros inside arrays)",
        )
        for check in ("leaky_relu", "leaky_relu_grad")
        for words, kwargs in (
            ("default slope", {}),
            ("negative_slope=0.1", {"negative_slope": 0.1}),
        )
    ),
    (
        "softmax",
        "rows of equal values, 2-d float64",
        SOFTMAX_TIES,
        {},
        "rows that tie for their maximum (every element, or two of them): the answer is 1/n "
        "or shared by the tied maxima; reveals a log-sum-exp or log1p form that leaves every "
        "element equal to the maximum out of the sum, where exactly one must be",
    ),
    (
        "softmax",
        "2-d float64 array of shape (4, 1)",
        np.array([[3.0], [-1.0], [40.0], [0.0]]),
        {},
        "an axis of length 1, where softmax is 1 whatever the values: reveals a result that "
        "loses the axis (np.squeeze, [..., 0]) and a sum without keepdims, which NumPy "
        "broadcasts from (4, 1) / (4,) to (4, 4) instead of failing",
    ),
    (
        "softmax_axis",
        "3-d float32 array of shape (2, 1, 3), axis=1",
        np.array([[[0.5, -2.0, 7.0]], [[30.0, 30.0, 0.0]]], dtype="float32"),
        {"axis": 1},
        "softmax along an axis of length 1 (1 everywhere): reveals a lost axis, and the axis "
        "argument ignored (the last axis is not of length 1)",
    ),
    (
        "softmax_extreme",
        "rows of equal large float32 values",
        LARGE_TIES,
        {},
        "equal values of magnitude 1000 to 1e4 in float32: the answer is exactly 1/n or 1/2; "
        "without the max shift exp overflows (inf / inf), a form that drops tied maxima gives "
        "1, and the log-sum-exp form rounds its largest intermediate here (its float32 error "
        "of about |x| * eps is what the tolerance must allow)",
    ),
    (
        "sigmoid_grad",
        "large negative float64 values",
        NEGATIVE,
        {},
        "large negative x: the derivative written out, exp(-x) / (1 + exp(-x))**2, is "
        "inf / inf = nan here, while s * (1 - s) stays finite",
    ),
    (
        "sigmoid_grad",
        "large negative float32 values",
        NEGATIVE.astype("float32"),
        {},
        "large negative x in float32, where exp(-x) overflows from x = -89 on",
    ),
    (
        "tanh_grad",
        "extreme float64 values",
        EXTREMES,
        {},
        "|x| up to 1e4: tanh written with exp inside the derivative is inf / inf = nan there, "
        "while 1 - tanh(x)**2 and 1 / cosh(x)**2 stay finite",
    ),
    (
        "tanh_grad",
        "extreme float32 values",
        EXTREMES.astype("float32"),
        {},
        "|x| up to 1e4 in float32, where exp overflows from |x| = 89 on",
    ),
]
"""Edge cases: (check, description, input, keyword arguments, the mistake the case is there
to reveal). The check's function is its name without ``_extreme`` or ``_axis``; a ``_grad``
function is answered by ``tf.GradientTape`` of the activation."""


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

    def add(check: str, function: str, description: str, x: np.ndarray, expected, why="", **kwargs):
        cases.append(
            Case(
                id=f"{check}/{description}",
                check=check,
                function=function,
                description=description,
                kwargs=kwargs,
                arrays={"x": x, "expected": expected},
                why=why,
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
    for check, description, x, kwargs, why in EDGE_ACTIVATIONS:
        function = check.removesuffix("_extreme").removesuffix("_axis")
        answer = _tape_gradient if function.endswith("_grad") else _keras_activation
        with warnings.catch_warnings():  # Keras warns of a softmax over an axis of length 1
            warnings.filterwarnings("ignore", "You are using a softmax over axis")
            expected = answer(function.removesuffix("_grad"), x, **kwargs)
        add(check, function, description, x, expected, why=why, **kwargs)
    return cases


def _probabilities(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    return rng.uniform(0.05, 0.95, size=shape).astype(dtype)


def _one_hot(labels: np.ndarray, classes: int, dtype: str) -> np.ndarray:
    return np.eye(classes, dtype=dtype)[labels]


def _softmax_rows(rng: np.random.Generator, shape: tuple[int, ...], dtype: str) -> np.ndarray:
    z = np.exp(rng.standard_normal(shape))
    return (z / z.sum(axis=-1, keepdims=True)).astype(dtype)


FLOAT32_CLIP = (
    "float32: 1 - 1e-7 rounds to 1 - 1.19e-7, so log(1 - p) is -15.94 where float64 gives "
    "-16.12 (the tolerance allows both); no clipping still gives inf"
)


def record_losses() -> list[Case]:
    rng = np.random.default_rng(SEED + 1)
    cases: list[Case] = []

    def add(check: str, function: str, description: str, y_true, y_pred, why: str = ""):
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
                why=why,
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
    wrong_both_ways = (
        np.array([[0.0, 1.0], [1.0, 0.0], [0.0, 0.0], [1.0, 1.0]]),
        np.array([[1.0, 0.0], [0.0, 1.0], [1.0, 0.5], [0.0, 1.0]]),
    )
    add(
        "crossentropy_clipping",
        "binary_crossentropy",
        "target 0 with prediction exactly 1, and 1 with 0",
        *wrong_both_ways,
        why="a target 0 with a prediction of exactly 1: log(1 - p) needs the clip at 1 - 1e-7 "
        "too; reveals clipping at 0 only (np.maximum(p, 1e-7)), which the other cases miss "
        "when the loss is written with np.where",
    )
    add(
        "crossentropy_clipping",
        "binary_crossentropy",
        "float32 predictions of exactly 0 and 1",
        np.concatenate([wrong_both_ways[0], [[0.0, 1.0], [1.0, 0.0]]]).astype("float32"),
        np.concatenate([wrong_both_ways[1], [[0.0, 1.0], [1.0, 0.0]]]).astype("float32"),
        why=f"exact 0 and 1 in {FLOAT32_CLIP}; clipping at 0 only gives inf as well",
    )
    add(
        "crossentropy_clipping",
        "categorical_crossentropy",
        "float32 probability 0 for the true class",
        _one_hot(np.array([1, 1, 0, 2]), 3, "float32"),
        certain.astype("float32"),
        why=f"probabilities 0 and 1 in {FLOAT32_CLIP}",
    )
    add(
        "crossentropy_clipping",
        "sparse_categorical_crossentropy",
        "float32 probability 0 for the true class",
        np.array([1, 1, 0, 2]),
        certain.astype("float32"),
        why=f"probabilities 0 and 1 in {FLOAT32_CLIP}",
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

ZERO_GRADIENT_CASES: list[tuple[str, str, dict, str]] = [
    (
        "sgd",
        "SGD",
        {"learning_rate": 0.05},
        "without momentum a zero gradient leaves w exactly where it is: the parameter must "
        "still come back, unchanged and in its place in the list",
    ),
    (
        "sgd_momentum",
        "SGD",
        {"learning_rate": 0.05, "momentum": 0.9},
        "momentum keeps moving w while the gradient is zero (m = momentum * m): reveals a step "
        "that skips a parameter whose gradient is all zero",
    ),
    (
        "sgd_nesterov",
        "SGD",
        {"learning_rate": 0.05, "momentum": 0.9, "nesterov": True},
        "Nesterov momentum keeps moving w over zero gradients too: reveals skipping them",
    ),
    (
        "adagrad",
        "Adagrad",
        {"learning_rate": 0.1, "initial_accumulator_value": 0.0},
        "an accumulator that starts at 0 stays 0 while the gradient is zero: reveals "
        "epsilon left out, g / sqrt(acc) = 0 / 0",
    ),
    (
        "rmsprop",
        "RMSprop",
        {"learning_rate": 0.01},
        "v starts at 0 and stays 0 while the gradient is zero: reveals epsilon left out, "
        "g / sqrt(v) = 0 / 0; over the zero steps v must still decay (v = rho * v), which "
        "skipping the parameter does not do",
    ),
    (
        "adam",
        "Adam",
        {"learning_rate": 0.01},
        "m and v start at 0 and stay 0 while the gradient is zero: reveals epsilon left out, "
        "m / sqrt(v) = 0 / 0; later m keeps moving w over zero gradients, which skipping the "
        "parameter does not do",
    ),
]
"""(check, optimizer class, keyword arguments, the mistake the case reveals), each run for 20
steps on parameters of shapes (4,), (3,), (2, 2) with the gradients of ``_zero_gradients``."""
ZERO_GRADIENT_SHAPES = [(4,), (3,), (2, 2)]
ZERO_GRADIENT_WORDS = (
    ", with zero gradients (params[0][0] at every step, params[0][2] at steps 1, 7 and 13, "
    "params[1] at steps 1 to 8, params[2] at steps 6 to 15)"
)


def _gradient(rng: np.random.Generator, shape: tuple[int, ...]) -> np.ndarray:
    """Gradients of magnitude 0.2 to 2: far from 0, where only epsilon's placement would matter."""
    return rng.uniform(0.2, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)


def _zero_gradients(rng: np.random.Generator) -> list[list[np.ndarray]]:
    """Gradients for ``ZERO_GRADIENT_SHAPES`` with zeros where mistakes show: component 0 of
    parameter 0 is zero at every step and component 2 at steps 1, 7 and 13; parameter 1 is
    zero for steps 1 to 8 (its state is still 0 there), parameter 2 for steps 6 to 15 (after
    its state has grown)."""
    grads = [
        [_gradient(rng, shape) for shape in ZERO_GRADIENT_SHAPES] for _ in range(OPTIMIZER_STEPS)
    ]
    for t, (first, second, third) in enumerate(grads, start=1):
        first[0] = 0.0
        if t in (1, 7, 13):
            first[2] = 0.0
        if t <= 8:
            second[:] = 0.0
        if 6 <= t <= 15:
            third[:] = 0.0
    return grads


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
    runs = [
        (check, class_name, kwargs, shapes, None, "")
        for check, class_name, kwargs, shapes in OPTIMIZER_CASES
    ]
    runs += [
        (check, class_name, kwargs, ZERO_GRADIENT_SHAPES, _zero_gradients, why)
        for check, class_name, kwargs, why in ZERO_GRADIENT_CASES
    ]
    for check, class_name, kwargs, shapes, gradients, why in runs:
        params = [rng.standard_normal(shape) for shape in shapes]
        if gradients is None:
            grads = [[_gradient(rng, shape) for shape in shapes] for _ in range(OPTIMIZER_STEPS)]
        else:
            grads = gradients(rng)
        inputs, expected = trajectory_arrays(
            params, grads, keras_trajectory(class_name, kwargs, params, grads)
        )
        arrays = {**inputs, **expected}
        settings = ", ".join(f"{k}={v!r}" for k, v in kwargs.items())
        shape_words = ", ".join(str(s) for s in shapes)
        zeros = (", zero gradients", ZERO_GRADIENT_WORDS) if gradients else ("", "")
        cases.append(
            Case(
                id=f"{check}/{class_name}({settings}){zeros[0]}",
                check=check,
                function=class_name,
                description=f"{class_name}({settings}) on parameters of shapes {shape_words}"
                + zeros[1],
                kwargs=kwargs,
                arrays=arrays,
                why=why,
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
