"""categorical crossentropy averaged over the classes.

fails: categorical_crossentropy, crossentropy_clipping
diagnosis: averaged over the classes instead of summed
"""


def categorical_crossentropy(y_true, y_pred):
    return -np.mean(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON)), axis=-1)
