"""predict_proba returning z.

fails: predict_proba, loss, gradients, train_matches_keras, accuracy
diagnosis: the sigmoid is missing
"""


def predict_proba(X, w, b):
    return X @ w + b
