"""Regularising training: dropout, keeping the best model, stopping early.

The data are 8x8 digit images (``sklearn.datasets.load_digits``, pixel values scaled to 0..1)
standing in for the notes' 28x28 Fashion-MNIST; the model flattens each image first.
"""

from tensorflow import keras


def model_fn(a_layer: keras.layers.Layer | None = None) -> keras.Sequential:
    """The notes' model, for 8x8 images and 10 classes, with an optional extra layer.

    ```
    keras.Input(shape=(8, 8))
    keras.layers.Flatten()
    keras.layers.Dense(100, activation="relu")
    a_layer                                   (only when it is given)
    keras.layers.Dense(10, activation="softmax")
    ```
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def dropout_model() -> keras.Sequential:
    """``model_fn`` with ``keras.layers.Dropout(0.3)`` between the hidden and the output layer.

    During training the dropout layer sets 30% of its inputs to 0 and scales the others by
    1 / 0.7; at inference (``predict``, ``evaluate``) it passes everything through.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def make_callbacks(checkpoint_path: str) -> list[keras.callbacks.Callback]:
    """Keep the best model on disk and stop when the validation loss stops improving.

    ```
    keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True)
    keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)
    ```
    Both watch ``"val_loss"`` (their default). ``checkpoint_path`` ends in ``.keras``.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


def train_with_callbacks(
    model: keras.Model,
    X_train,
    y_train,
    X_val,
    y_val,
    checkpoint_path: str,
    epochs: int = 100,
    batch_size: int = 32,
) -> keras.callbacks.History:
    """Fit the compiled ``model`` with ``make_callbacks(checkpoint_path)``.

    ```
    model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0,
              validation_data=(X_val, y_val), callbacks=make_callbacks(checkpoint_path))
    ```
    Returns the ``History``: training stops early, the file at ``checkpoint_path`` holds the
    model of the best epoch, and the model itself ends with the weights of that epoch.
    """
    # TODO: write the code the docstring describes.
    raise NotImplementedError


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex07_regularize")
