"""a checkpoint that keeps every epoch's model.

fails: callbacks, checkpoint_is_best
diagnosis: save_best_only is missing
"""


def make_callbacks(checkpoint_path):
    return [keras.callbacks.ModelCheckpoint(checkpoint_path),
            keras.callbacks.EarlyStopping(patience=2, restore_best_weights=True)]
