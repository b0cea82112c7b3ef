"""the SGD update written by hand, with the optimizer it was given never called.

fails: train_matches_keras
diagnosis: optimizer.step calls
"""


def train(X, y, w, b, optimizer, epochs=1, batch_size=32):
    learning_rate = optimizer.learning_rate
    history = []
    for _ in range(epochs):
        for start in range(0, len(y), batch_size):
            batch = slice(start, start + batch_size)
            dw, db = gradients(X[batch], y[batch], w, b)
            w, b = w - learning_rate * dw, float(b - learning_rate * db)
        history.append(loss(X, y, w, b))
    return w, b, history
