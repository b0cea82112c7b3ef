"""sigmoid_grad written out as exp(-x) / (1 + exp(-x))**2: inf / inf for large negative x.

fails: sigmoid_grad
diagnosis: the derivative written with exp overflows for large |x|
"""


def sigmoid_grad(x):
    e = np.exp(-x)
    return e / (1 + e) ** 2
