"""one epoch of fit and a hand-saved model instead of the callbacks.

fails: stops_early, checkpoint_is_best, restores_best_weights
diagnosis: Training must end the way early stopping ends it
"""


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    history = model.fit(X_train, y_train, epochs=1, batch_size=batch_size, verbose=0,
                        validation_data=(X_val, y_val))
    model.save(checkpoint_path)
    return history
