"""early stopping without restore_best_weights.

fails: callbacks, restores_best_weights
diagnosis: restore_best_weights is missing
"""


def make_callbacks(checkpoint_path):
    return [keras.callbacks.ModelCheckpoint(checkpoint_path, save_best_only=True),
            keras.callbacks.EarlyStopping(patience=2)]
