"""softmax in the log1p form that leaves every element equal to the maximum out of the sum:
right while the maximum is unique, 1 everywhere on a row of equal values.

fails: softmax, softmax_extreme
diagnosis: the maximum's terms left out of the sum
"""


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    rest = np.sum(np.where(x < m, np.exp(x - m), 0.0), axis=axis, keepdims=True)
    return np.exp(x - m - np.log1p(rest))
