"""save_model that always writes .keras.

fails: save_model_legacy
diagnosis: the name must end in .h5
"""


def save_model(model, folder, legacy=False):
    path = str(Path(folder) / "model.keras")
    model.save(path)
    return path
