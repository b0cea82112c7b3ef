"""fit without batch_size, so Keras uses 32 whatever the caller asked.

fails: stops_early, checkpoint_is_best, restores_best_weights
diagnosis: the batch_size argument is not passed to fit
"""


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    return model.fit(X_train, y_train, epochs=epochs, verbose=0,
                     validation_data=(X_val, y_val), callbacks=make_callbacks(checkpoint_path))
