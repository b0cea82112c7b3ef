"""iterations per epoch by integer division.

fails: iterations_per_epoch
diagnosis: the last, smaller batch is not counted
"""


def iterations_per_epoch(n_samples, batch_size):
    return n_samples // batch_size
