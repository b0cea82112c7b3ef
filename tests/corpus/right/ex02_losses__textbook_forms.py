"""Correct losses written as a textbook would: one-hot conversion, np.where."""


def binary_crossentropy(y_true, y_pred):
    p = np.clip(y_pred, 1e-7, 1 - 1e-7)
    return np.mean(np.where(y_true == 1, -np.log(p), -np.log(1 - p)), axis=-1)


def sparse_categorical_crossentropy(y_true, y_pred):
    one_hot = np.eye(y_pred.shape[-1])[np.asarray(y_true, dtype=int)]
    return -np.sum(one_hot * np.log(np.clip(y_pred, 1e-7, 1 - 1e-7)), axis=-1)


def mean_squared_error(y_true, y_pred):
    return np.square(np.subtract(y_true, y_pred)).mean(axis=-1)
