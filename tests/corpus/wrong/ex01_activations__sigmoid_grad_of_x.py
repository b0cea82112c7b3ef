"""sigmoid_grad as x * (1 - x): the formula meant for the output.

fails: sigmoid_grad
diagnosis: the output's formula applied to x
"""


def sigmoid_grad(x):
    return x * (1 - x)
