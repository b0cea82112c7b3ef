"""save_weights with the notes' Keras 2 file name.

fails: save_weights
status: error
diagnosis: Keras 3 requires the name of a weights-only file to end in .weights.h5
"""


def save_weights(model, folder):
    path = str(Path(folder) / "model-weights.h5")
    model.save_weights(path)
    return path
