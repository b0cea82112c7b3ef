"""best epoch as an index from 0.

fails: best_epoch
diagnosis: the epoch is counted from 0
"""


def best_epoch(history):
    return int(np.argmin(history["val_loss"]))
