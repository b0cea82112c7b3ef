"""sigmoid as exp(x) / (1 + exp(x)): inf / inf for large x.

fails: sigmoid_extreme
diagnosis: exp overflows for large |x|
"""


def sigmoid(x):
    return np.exp(x) / (1 + np.exp(x))
