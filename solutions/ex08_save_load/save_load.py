"""Saving and loading: weights only, and whole models.

Keras 3 differs from the notes here: ``model.save_weights(path)`` needs a path ending in
``.weights.h5`` (the notes' ``"model-weights.h5"`` raises ``ValueError``); ``model.save`` writes
the native ``.keras`` format, and still writes the legacy HDF5 format for a path ending in
``.h5``. ``keras.models.load_model`` reads both.
"""

from collections.abc import Callable
from pathlib import Path

from tensorflow import keras


def save_weights(model: keras.Model, folder: str) -> str:
    """Save only the weights of ``model`` in ``folder``; return the file's path.

    ```
    path = folder/model.weights.h5          (the name must end in .weights.h5)
    model.save_weights(path)
    ```
    """
    path = str(Path(folder) / "model.weights.h5")
    model.save_weights(path)
    return path


def load_weights(model_fn: Callable[[], keras.Model], path: str) -> keras.Model:
    """A new model from ``model_fn()`` with the weights stored at ``path``.

    ```
    model = model_fn()
    model.load_weights(path)
    ```
    The new model must have the architecture the weights were saved from; Keras raises an
    error otherwise, and that error must reach the caller.
    """
    model = model_fn()
    model.load_weights(path)
    return model


def save_model(model: keras.Model, folder: str, legacy: bool = False) -> str:
    """Save the whole model (architecture, weights, compile settings); return the path.

    ```
    path = folder/model.keras       (legacy=False: the native format)
    path = folder/model.h5          (legacy=True: HDF5, as the notes do)
    model.save(path)
    ```
    """
    path = str(Path(folder) / ("model.h5" if legacy else "model.keras"))
    model.save(path)
    return path


def load_model(path: str) -> keras.Model:
    """The model saved at ``path``, ``.keras`` or ``.h5``.

    ```
    keras.models.load_model(path)       (safe mode on, Keras's default)
    ```
    A file holding a ``Lambda`` layer's Python code is refused: Keras's ``ValueError`` must
    reach the caller.
    """
    return keras.models.load_model(path)


if __name__ == "__main__":
    print("This file is checked, not run: in the kit's folder, with its venv active, run")
    print("이 파일은 실행하지 않고 검사합니다. 가상 환경을 켜고 키트 폴더에서 실행하세요:")
    print("    pytest exercises/ex08_save_load")
