"""sigmoid with exp(x) in the denominator.

fails: sigmoid, sigmoid_extreme
diagnosis: the sign in the exponent
"""


def sigmoid(x):
    return 0.5 * (1 + np.tanh(-0.5 * np.asarray(x)))
