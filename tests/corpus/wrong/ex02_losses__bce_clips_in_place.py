"""binary crossentropy that clips the caller's array in place.

fails: inputs_unmodified
diagnosis: changed its input y_pred in place
"""


def binary_crossentropy(y_true, y_pred):
    p = np.clip(y_pred, EPSILON, 1 - EPSILON, out=y_pred)
    return np.mean(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)
