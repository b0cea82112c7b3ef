"""softmax without subtracting the maximum.

fails: softmax_extreme
diagnosis: softmax overflows
"""


def softmax(x, axis=-1):
    e = np.exp(x)
    return e / np.sum(e, axis=axis, keepdims=True)
