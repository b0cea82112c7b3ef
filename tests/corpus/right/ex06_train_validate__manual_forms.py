"""Correct answers written another way: a pipeline-free split by index, -(-n // b), a dict history."""


def iterations_per_epoch(n_samples, batch_size):
    return -(-n_samples // batch_size)


def best_epoch(history):
    losses = history["val_loss"]
    return losses.index(min(losses)) + 1


def evaluate(model, X, y):
    loss, accuracy = model.evaluate(X, y, verbose=0)
    return {"loss": loss, "accuracy": accuracy}
