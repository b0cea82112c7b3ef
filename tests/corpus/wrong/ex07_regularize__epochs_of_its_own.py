"""A round number of the student's own for the epochs, kept in a module constant.

fails: stops_early
diagnosis: fit was asked for 50 epochs
"""

EPOCHS = 50


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    callbacks = make_callbacks(checkpoint_path)
    return model.fit(X_train, y_train, epochs=EPOCHS, batch_size=batch_size, verbose=0,
                     validation_data=(X_val, y_val), callbacks=callbacks)
