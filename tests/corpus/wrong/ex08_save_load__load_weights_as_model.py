"""load_weights that calls load_model on a weights file: it always raises.

fails: load_weights, different_architecture
status: error
diagnosis: load_weights(model_fn
"""


def load_weights(model_fn, path):
    return keras.models.load_model(path)
