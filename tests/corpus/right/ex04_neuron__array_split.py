"""A correct neuron written differently: batches from np.array_split-like indexing, logaddexp loss."""


def predict_proba(X, w, b):
    return np.exp(-np.logaddexp(0, -(X @ w + b)))


def train(X, y, w, b, optimizer, epochs, batch_size):
    history = []
    batches = [np.arange(i, min(i + batch_size, len(y))) for i in range(0, len(y), batch_size)]
    for _ in range(epochs):
        for index in batches:
            dw, db = gradients(X[index], y[index], w, b)
            w, b = optimizer.step([w, np.array(b)], [dw, np.array(db)])
            b = float(b)
        history.append(loss(X, y, w, b))
    return w, b, history
