"""relu that zeroes the caller's array in place.

fails: inputs_unmodified
diagnosis: changed its input x in place
"""


def relu(x):
    x = np.asarray(x)
    if x.ndim == 0:
        return np.maximum(x, 0)
    x[x < 0] = 0
    return x
