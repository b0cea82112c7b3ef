"""relu_grad that is 1 at x == 0.

fails: relu_grad
diagnosis: TensorFlow's ReLU gradient at exactly 0 is 0
"""


def relu_grad(x):
    return (x >= 0).astype(x.dtype)
