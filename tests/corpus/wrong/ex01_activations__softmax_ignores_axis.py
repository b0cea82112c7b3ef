"""softmax that always uses the last axis.

fails: softmax_axis
diagnosis: the axis argument is ignored
"""


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=-1, keepdims=True))
    return e / np.sum(e, axis=-1, keepdims=True)
