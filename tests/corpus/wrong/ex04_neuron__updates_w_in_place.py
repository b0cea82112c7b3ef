"""train updating the caller's weights in place (w -= ...) instead of taking the optimizer's
new array; the optimizer is still called, and the result is right.

fails: train_matches_keras
diagnosis: changed its input w in place
"""


def train(X, y, w, b, optimizer, epochs=1, batch_size=32):
    history = []
    for _ in range(epochs):
        for start in range(0, len(y), batch_size):
            batch = slice(start, start + batch_size)
            dw, db = gradients(X[batch], y[batch], w, b)
            new_w, new_b = optimizer.step([w, np.array(b)], [dw, np.array(db)])
            w -= w - new_w
            b = float(new_b)
        history.append(loss(X, y, w, b))
    return w, b, history
