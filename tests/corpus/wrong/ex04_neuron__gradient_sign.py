"""gradients with y - p.

fails: gradients, train_matches_keras, accuracy
diagnosis: the gradient has the wrong sign
"""


def gradients(X, y, w, b):
    error = y - predict_proba(X, w, b)
    return X.T @ error / len(y), float(np.mean(error))
