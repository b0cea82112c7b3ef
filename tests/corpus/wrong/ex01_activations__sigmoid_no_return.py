"""sigmoid that computes but forgets to return.

fails: sigmoid, sigmoid_extreme, sigmoid_grad, inputs_unmodified
diagnosis: Did you forget the `return` statement?
"""


def sigmoid(x):
    0.5 * (1 + np.tanh(0.5 * np.asarray(x)))
