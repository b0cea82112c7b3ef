"""binary crossentropy summed over the last axis.

fails: binary_crossentropy, crossentropy_clipping
diagnosis: summed over the last axis instead of averaged
"""


def binary_crossentropy(y_true, y_pred):
    p = np.clip(y_pred, EPSILON, 1 - EPSILON)
    return np.sum(-(y_true * np.log(p) + (1 - y_true) * np.log(1 - p)), axis=-1)
