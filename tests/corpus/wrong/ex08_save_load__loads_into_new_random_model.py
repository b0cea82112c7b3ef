"""load_weights that returns a fresh model without loading.

fails: load_weights, different_architecture
diagnosis: does not hold the weights that were saved
"""


def load_weights(model_fn, path):
    return model_fn()
