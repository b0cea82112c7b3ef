"""classes of its own named like Keras's callbacks, with their attributes, doing nothing but
stopping after five epochs.

fails: callbacks, stops_early, checkpoint_is_best, restores_best_weights
diagnosis: is a class of its own with that name
"""


class ModelCheckpoint(keras.callbacks.Callback):
    def __init__(self, filepath, monitor="val_loss", save_best_only=False):
        super().__init__()
        self.filepath, self.monitor, self.save_best_only = filepath, monitor, save_best_only


class EarlyStopping(keras.callbacks.Callback):
    def __init__(self, monitor="val_loss", patience=0, restore_best_weights=False):
        super().__init__()
        self.monitor, self.patience = monitor, patience
        self.restore_best_weights = restore_best_weights

    def on_epoch_end(self, epoch, logs=None):
        if epoch + 1 >= 5:
            self.model.stop_training = True


def make_callbacks(checkpoint_path):
    return [ModelCheckpoint(checkpoint_path, save_best_only=True),
            EarlyStopping(patience=2, restore_best_weights=True)]
