"""save_model names its legacy file model.hdf5: Keras writes the same HDF5 format as for .h5,
and the name is accepted."""


def save_model(model, folder, legacy=False):
    path = str(Path(folder) / ("model.hdf5" if legacy else "model.keras"))
    model.save(path)
    return path
