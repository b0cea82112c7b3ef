"""train that passes batch_size but always runs 10 epochs.

fails: train
diagnosis: the epochs argument is not passed to fit
"""


def train(model, X_train, y_train, X_val, y_val, epochs=20, batch_size=32):
    return model.fit(X_train, y_train, epochs=10, batch_size=batch_size,
                     validation_data=(X_val, y_val), verbose=0)
