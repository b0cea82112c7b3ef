"""Twice the epochs asked "to be safe, since early stopping ends it anyway".

fails: stops_early
diagnosis: fit was asked for 80 epochs
"""


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    return model.fit(X_train, y_train, epochs=2 * epochs, batch_size=batch_size, verbose=0,
                     validation_data=(X_val, y_val), callbacks=make_callbacks(checkpoint_path))
