"""loss returning one value per sample.

fails: loss
diagnosis: one loss per sample instead of their mean
"""


def loss(X, y, w, b):
    p = np.clip(predict_proba(X, w, b), EPSILON, 1 - EPSILON)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))
