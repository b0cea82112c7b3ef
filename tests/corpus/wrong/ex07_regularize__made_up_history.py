"""three epochs without callbacks, the last model saved, and a History made up to look like
early stopping's (its best epoch two before the last, with the saved model's loss).

fails: stops_early, checkpoint_is_best, restores_best_weights
diagnosis: Training must end the way early stopping ends it
"""


class _MadeUpHistory:
    def __init__(self, history, params):
        self.history = history
        self.params = params
        self.epoch = list(range(len(history["val_loss"])))


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    model.fit(X_train, y_train, epochs=3, batch_size=batch_size, verbose=0)
    model.save(checkpoint_path)
    loss = float(model.evaluate(X_val, y_val, verbose=0)[0])
    val_loss = [loss + 0.2, loss + 0.1, loss, loss + 0.01, loss + 0.02]
    return _MadeUpHistory({"loss": val_loss, "val_loss": val_loss},
                          {"epochs": epochs, "steps": 45, "verbose": 0})
