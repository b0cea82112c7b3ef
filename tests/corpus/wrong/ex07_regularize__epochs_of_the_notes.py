"""fit asked for the notes' 100 epochs, whatever train_with_callbacks is given: early stopping
ends training long before, so only History.params shows it.

fails: stops_early
diagnosis: fit was asked for 100 epochs
"""


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    return model.fit(X_train, y_train, epochs=100, batch_size=batch_size, verbose=0,
                     validation_data=(X_val, y_val), callbacks=make_callbacks(checkpoint_path))
