"""tanh_grad through tanh written with exp: inf / inf for |x| around 1000.

fails: tanh_grad
diagnosis: tanh written with exp
"""


def tanh_grad(x):
    t = (np.exp(x) - np.exp(-x)) / (np.exp(x) + np.exp(-x))
    return 1 - t**2
