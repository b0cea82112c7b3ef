"""predict_proba without the bias.

fails: predict_proba, loss, gradients, train_matches_keras
diagnosis: the bias is left out
"""


def predict_proba(X, w, b):
    return 1 / (1 + np.exp(-(X @ w)))
