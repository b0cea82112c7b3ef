"""categorical crossentropy without clipping.

fails: crossentropy_clipping
diagnosis: no clipping before the log
"""


def categorical_crossentropy(y_true, y_pred):
    return -np.sum(y_true * np.log(y_pred), axis=-1)
