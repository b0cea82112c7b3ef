"""early stopping with patience 5.

fails: callbacks
diagnosis: the wrong patience
"""


def make_callbacks(checkpoint_path):
    return [keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True),
            keras.callbacks.EarlyStopping(patience=5, restore_best_weights=True)]
