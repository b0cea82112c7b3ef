"""the callbacks in the other order, every default argument written out, and fit's arguments
by keyword."""


def make_callbacks(checkpoint_path):
    stopping = keras.callbacks.EarlyStopping(monitor="val_loss", min_delta=0, patience=2,
                                             mode="auto", restore_best_weights=True)
    checkpoint = keras.callbacks.ModelCheckpoint(filepath=checkpoint_path, monitor="val_loss",
                                                 save_best_only=True, mode="auto")
    return [stopping, checkpoint]


def train_with_callbacks(model, X_train, y_train, X_val, y_val, checkpoint_path, epochs=100,
                         batch_size=32):
    callbacks = make_callbacks(checkpoint_path)
    return model.fit(x=X_train, y=y_train, batch_size=batch_size, epochs=epochs, verbose=0,
                     callbacks=callbacks, validation_data=(X_val, y_val), shuffle=True)
