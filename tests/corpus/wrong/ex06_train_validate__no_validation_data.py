"""fit without validation data.

fails: train
diagnosis: no validation data
"""


def train(model, X_train, y_train, X_val, y_val, epochs=20, batch_size=32):
    return model.fit(X_train, y_train, epochs=epochs, batch_size=batch_size, verbose=0)
