"""train that steps only the weights.

fails: train_matches_keras
diagnosis: the bias is never updated
"""


def train(X, y, w, b, optimizer, epochs, batch_size):
    history = []
    for _ in range(epochs):
        for start in range(0, len(y), batch_size):
            dw, db = gradients(X[start:start + batch_size], y[start:start + batch_size], w, b)
            (w,) = optimizer.step([w], [dw])
        history.append(loss(X, y, w, b))
    return w, b, history
