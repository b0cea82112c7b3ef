"""relu_grad with a separate path for 0-d input, written with x >= 0: only a 0-d exact zero
shows it (the other inputs hold their zeros inside arrays).

fails: relu_grad
diagnosis: TensorFlow's ReLU gradient at exactly 0 is 0
"""


def relu_grad(x):
    x = np.asarray(x)
    if x.ndim == 0:
        return np.asarray(1.0 if x >= 0 else 0.0)
    return (x > 0).astype(x.dtype)
