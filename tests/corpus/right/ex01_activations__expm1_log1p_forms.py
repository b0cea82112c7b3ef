"""Correct activations through expm1, log1p and logaddexp: each rounds differently from the
reference, and each stays finite at |x| = 1e4."""


def sigmoid(x):
    return np.exp(-np.logaddexp(0, -np.asarray(x)))


def tanh(x):
    e = np.expm1(-2 * np.abs(x))
    return np.sign(x) * (-e / (2 + e))


def softmax(x, axis=-1):
    m = np.max(x, axis=axis, keepdims=True)
    total = np.sum(np.exp(x - m), axis=axis, keepdims=True)
    return np.exp(x - m - np.log1p(total - 1))


def sigmoid_grad(x):
    e = np.exp(-np.abs(x))
    return e / (1 + e) ** 2


def tanh_grad(x):
    e = np.exp(-2 * np.abs(x))
    return 4 * e / (1 + e) ** 2
