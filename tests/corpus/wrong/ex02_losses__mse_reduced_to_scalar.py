"""mean squared error averaged over the whole batch.

fails: mean_squared_error
diagnosis: the loss is averaged over the whole batch
"""


def mean_squared_error(y_true, y_pred):
    return np.mean((y_true - y_pred) ** 2)
