"""binary crossentropy with log1p(-p) for log(1 - p), in the input's dtype."""


def binary_crossentropy(y_true, y_pred):
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    return -np.mean(y_true * np.log(p) + (1 - y_true) * np.log1p(-p), axis=-1)
