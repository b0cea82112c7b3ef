"""fit without the callbacks.

fails: stops_early, checkpoint_is_best, restores_best_weights
diagnosis: the callbacks did not reach fit
"""


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    return model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0,
                     validation_data=(X_val, y_val))
