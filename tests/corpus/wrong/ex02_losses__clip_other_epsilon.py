"""sparse crossentropy clipped with 1e-15.

fails: crossentropy_clipping
diagnosis: clipped with another epsilon
"""


def sparse_categorical_crossentropy(y_true, y_pred):
    p = np.clip(y_pred, 1e-15, 1 - 1e-15)
    return -np.log(np.take_along_axis(p, y_true[..., None].astype(int), axis=-1))[..., 0]
