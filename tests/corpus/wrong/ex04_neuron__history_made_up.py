"""train that returns zeros as its history.

fails: train_matches_keras
diagnosis: history is wrong
"""


def train(X, y, w, b, optimizer, epochs, batch_size):
    for _ in range(epochs):
        for start in range(0, len(y), batch_size):
            dw, db = gradients(X[start:start + batch_size], y[start:start + batch_size], w, b)
            w, new_b = optimizer.step([w, np.array(b)], [dw, np.array(db)])
            b = float(new_b)
    return w, b, [0.0] * epochs
