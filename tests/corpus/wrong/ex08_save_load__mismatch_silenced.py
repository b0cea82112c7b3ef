"""load_weights that hides a failed load.

fails: different_architecture
diagnosis: a failed load is hidden
"""


def load_weights(model_fn, path):
    model = model_fn()
    try:
        model.load_weights(path)
    except ValueError:
        pass
    return model
