"""softmax along axis 0 whatever the caller asks.

fails: softmax, softmax_axis, softmax_extreme
diagnosis: softmax along the wrong axis
"""


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=0, keepdims=True))
    return e / np.sum(e, axis=0, keepdims=True)
