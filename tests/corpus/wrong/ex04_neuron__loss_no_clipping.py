"""loss without clipping.

fails: loss
diagnosis: no clipping before the log
"""


def loss(X, y, w, b):
    p = predict_proba(X, w, b)
    return float(np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p))))
