"""train that fits on the training and the validation data together.

fails: train
diagnosis: the trained weights differ from those of model.fit
"""


def train(model, X_train, y_train, X_val, y_val, epochs=20, batch_size=32):
    X = np.concatenate([X_train, X_val])
    y = np.concatenate([y_train, y_val])
    model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0)
    return model.fit(X, y, epochs=epochs, batch_size=batch_size, verbose=0,
                     validation_data=(X_val, y_val))
