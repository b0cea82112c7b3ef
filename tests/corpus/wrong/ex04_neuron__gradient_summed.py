"""gradients summed over the samples.

fails: gradients, train_matches_keras
diagnosis: the gradient is summed over the samples, not averaged
"""


def gradients(X, y, w, b):
    error = predict_proba(X, w, b) - y
    return X.T @ error, float(np.sum(error))
