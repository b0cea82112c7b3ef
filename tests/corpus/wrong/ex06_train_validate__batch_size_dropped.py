"""train that calls fit without batch_size (Keras then uses 32, whatever the caller asked).

fails: train
diagnosis: the batch_size argument is not passed to fit
"""


def train(model, X_train, y_train, X_val, y_val, epochs=20, batch_size=32):
    return model.fit(X_train, y_train, epochs=epochs, validation_data=(X_val, y_val), verbose=0)
