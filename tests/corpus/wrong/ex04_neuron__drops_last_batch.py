"""train that skips the last, shorter batch.

fails: train_matches_keras
diagnosis: the last, shorter batch is skipped
"""


def train(X, y, w, b, optimizer, epochs, batch_size):
    history = []
    for _ in range(epochs):
        for start in range(0, len(y) - batch_size + 1, batch_size):
            dw, db = gradients(X[start:start + batch_size], y[start:start + batch_size], w, b)
            w, new_b = optimizer.step([w, np.array(b)], [dw, np.array(db)])
            b = float(new_b)
        history.append(loss(X, y, w, b))
    return w, b, history
