"""Building and compiling a Keras model: the output layer, the loss, the optimizer.

The four tasks of the course, by name, with their labels, output layer and loss:

- ``"binary"``: labels 0 or 1; ``Dense(1, activation="sigmoid")``; ``"binary_crossentropy"``.
- ``"multiclass"``: integer labels 0 to k-1; ``Dense(k, activation="softmax")``;
  ``"sparse_categorical_crossentropy"``.
- ``"multiclass_onehot"``: one-hot label rows; ``Dense(k, activation="softmax")``;
  ``"categorical_crossentropy"``.
- ``"regression"``: real numbers; ``Dense(1)`` (linear); ``"mean_squared_error"``.
"""

from tensorflow import keras

TASKS = ("binary", "multiclass", "multiclass_onehot", "regression")


def output_activation(task: str) -> str:
    """The output layer's activation for ``task``: ``"sigmoid"``, ``"softmax"`` or ``"linear"``."""
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def output_units(task: str, n_classes: int) -> int:
    """The output layer's number of units: 1 for binary and regression, else ``n_classes``."""
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def loss_for(task: str) -> str:
    """The loss's name for ``task``, as ``model.compile(loss=...)`` accepts it."""
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def build_model(
    input_dim: int, hidden: list[tuple[int, str]], task: str, n_classes: int = 2
) -> keras.Sequential:
    """A ``keras.Sequential`` of Dense layers.

    ```
    keras.Input(shape=(input_dim,))
    Dense(units, activation=activation)   for each (units, activation) in hidden
    Dense(output_units(task, n_classes), activation=output_activation(task))
    ```
    Start with ``keras.Input`` so that the model is built and ``model.summary()`` shows its
    parameter counts before any training.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def count_params(input_dim: int, layer_units: list[int]) -> int:
    """Parameters of a stack of Dense layers, by hand: what ``model.count_params()`` says.

    ```
    each Dense(units) after a layer of size n_in has n_in * units weights + units biases
    ```
    Args:
        input_dim: the size of each input sample.
        layer_units: the units of every Dense layer in order, the output layer last.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def compile_model(
    model: keras.Model, task: str, optimizer: str = "rmsprop", learning_rate: float | None = None
) -> keras.Model:
    """Compile ``model`` for ``task`` and return it.

    - ``optimizer`` is a name: ``"sgd"``, ``"adagrad"``, ``"rmsprop"`` or ``"adam"``. Without a
      ``learning_rate``, pass the name itself (``optimizer="adam"``: Keras's default rate);
      with one, pass an optimizer object, e.g. ``keras.optimizers.Adam(learning_rate=0.01)``.
    - ``loss`` is ``loss_for(task)``; ``metrics=["accuracy"]`` for classification tasks, none
      for regression.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex05_build_compile")
