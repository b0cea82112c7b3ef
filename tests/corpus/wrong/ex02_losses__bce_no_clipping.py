"""binary crossentropy without clipping.

fails: crossentropy_clipping
diagnosis: no clipping before the log
"""


def binary_crossentropy(y_true, y_pred):
    return np.mean(-(y_true * np.log(y_pred) + (1 - y_true) * np.log(1 - y_pred)), axis=-1)
