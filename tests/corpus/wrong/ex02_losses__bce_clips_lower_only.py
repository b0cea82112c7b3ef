"""binary crossentropy written with np.where that guards log(0) only: a target 0 with a
prediction of exactly 1 takes log(1 - 1).

fails: crossentropy_clipping
diagnosis: the probabilities are clipped at 0 only
"""


def binary_crossentropy(y_true, y_pred):
    p = np.maximum(y_pred, EPSILON)
    return np.mean(np.where(y_true == 1, -np.log(p), -np.log(1 - p)), axis=-1)
