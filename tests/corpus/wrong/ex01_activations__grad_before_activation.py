"""sigmoid_grad written in terms of sigmoid, before sigmoid itself is written.

fails: sigmoid, sigmoid_extreme, sigmoid_grad, inputs_unmodified
status: not_attempted
diagnosis: calls sigmoid, which is not written yet
"""


def sigmoid(x):
    raise NotImplementedError


def sigmoid_grad(x):
    s = sigmoid(x)
    return s * (1 - s)
