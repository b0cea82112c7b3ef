"""relu_grad returning a boolean mask.

fails: relu_grad
diagnosis: dtype bool
"""


def relu_grad(x):
    return np.asarray(x) > 0
