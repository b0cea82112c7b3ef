"""tanh written with exp.

fails: tanh_extreme
diagnosis: tanh written with exp
"""


def tanh(x):
    return (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
