"""softmax whose sum drops the axis, so shapes do not broadcast for 2-d input.

fails: softmax, softmax_axis, softmax_extreme, inputs_unmodified
status: error
diagnosis: keepdims=True
"""


def softmax(x, axis=-1):
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis)
