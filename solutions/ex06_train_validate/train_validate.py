"""Training with a validation set: split, scale, fit, evaluate, and read the learning curve."""

import math

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler


def split_and_scale(
    X: np.ndarray, y: np.ndarray, seed: int = 42
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Hold out 20% for validation, then standardise with statistics of the training part.

    ```
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed)
    scaler = StandardScaler().fit(X_train)          # the training part only
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val
    ```
    Fitting the scaler on all of ``X`` lets the validation data leak into training.
    """
    X_train, X_val, y_train, y_val = train_test_split(
        X, y, test_size=0.2, stratify=y, random_state=seed
    )
    scaler = StandardScaler().fit(X_train)
    return scaler.transform(X_train), scaler.transform(X_val), y_train, y_val


def iterations_per_epoch(n_samples: int, batch_size: int) -> int:
    """How many batches ``model.fit`` runs per epoch: the last batch may be smaller.

    ```
    ceil(n_samples / batch_size)
    ```
    """
    return math.ceil(n_samples / batch_size)


def train(model, X_train, y_train, X_val, y_val, epochs: int = 20, batch_size: int = 32):
    """Fit ``model`` with the validation data and return the ``History``.

    ```
    model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size,
              validation_data=(X_val, y_val), verbose=0)
    ```
    """
    return model.fit(
        X_train,
        y_train,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=(X_val, y_val),
        verbose=0,
    )


def evaluate(model, X: np.ndarray, y: np.ndarray) -> dict[str, float]:
    """``model.evaluate`` as a dict: ``{"loss": ..., "accuracy": ...}``.

    ```
    model.evaluate(X, y, verbose=0, return_dict=True)
    ```
    """
    return {
        name: float(value)
        for name, value in model.evaluate(X, y, verbose=0, return_dict=True).items()
    }


def best_epoch(history: dict[str, list[float]]) -> int:
    """The epoch with the lowest validation loss, counted from 1 (as Keras prints epochs).

    ```
    argmin(history["val_loss"]) + 1
    ```
    After it, a validation loss that rises while the training loss falls is overfitting.
    """
    return int(np.argmin(history["val_loss"])) + 1


def plot_learning_curve(history: dict[str, list[float]], path: str) -> None:
    """Save the training and validation loss per epoch as a PNG at ``path``.

    One line for ``history["loss"]``, one for ``history["val_loss"]``, epochs on the x axis,
    a legend; then ``plt.savefig(path)`` and ``plt.close()``.
    """
    epochs = range(1, len(history["loss"]) + 1)
    figure, axes = plt.subplots()
    axes.plot(epochs, history["loss"], label="train")
    axes.plot(epochs, history["val_loss"], label="validation")
    axes.set_xlabel("epoch")
    axes.set_ylabel("loss")
    axes.legend()
    figure.savefig(path)
    plt.close(figure)


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex06_train_validate")
