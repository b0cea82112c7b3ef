"""softmax that squeezes its result: an axis of length 1 disappears.

fails: softmax, softmax_axis, softmax_extreme
diagnosis: the result loses an axis of length 1
"""


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return np.squeeze(e / np.sum(e, axis=axis, keepdims=True))
