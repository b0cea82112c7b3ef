"""Correct activations written differently from the reference."""


def sigmoid(x):
    return 0.5 * (1 + np.tanh(0.5 * np.asarray(x)))


def relu(x):
    return np.where(x > 0, x, np.zeros_like(x))


def leaky_relu(x, negative_slope=0.2):
    return np.maximum(x, negative_slope * np.asarray(x))


def softmax(x, axis=-1):
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return np.exp(shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True)))


def tanh_grad(x):
    return 1 / np.cosh(np.clip(x, -300, 300)) ** 2


def relu_grad(x):
    return np.heaviside(x, 0.0).astype(np.result_type(x, np.float32))
