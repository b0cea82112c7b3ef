"""Correct losses written differently at the clip: 1 - p clipped instead of p, and everything
in float64 whatever the input's dtype (at a float32 prediction of exactly 1, log(1 - p) is
-16.12 here where tf.keras's float32 gives -15.94)."""


def binary_crossentropy(y_true, y_pred):
    p = np.asarray(y_pred, dtype=np.float64)
    t = np.asarray(y_true, dtype=np.float64)
    log_p = np.log(np.clip(p, EPSILON, 1 - EPSILON))
    log_not_p = np.log(np.clip(1 - p, EPSILON, 1 - EPSILON))
    return np.mean(-(t * log_p + (1 - t) * log_not_p), axis=-1).astype(np.asarray(y_pred).dtype)


def categorical_crossentropy(y_true, y_pred):
    p = np.asarray(y_pred, dtype=np.float64)
    p = np.clip(p / p.sum(axis=-1, keepdims=True), EPSILON, 1 - EPSILON)
    return (-np.sum(y_true * np.log(p), axis=-1)).astype(np.asarray(y_pred).dtype)


def sparse_categorical_crossentropy(y_true, y_pred):
    p = np.clip(np.asarray(y_pred, dtype=np.float64), EPSILON, 1 - EPSILON)
    picked = np.take_along_axis(p, np.asarray(y_true, dtype=int)[..., None], axis=-1)[..., 0]
    return (-np.log(picked)).astype(np.asarray(y_pred).dtype)
