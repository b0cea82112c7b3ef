"""leaky_relu with the slope fixed at 0.2.

fails: leaky_relu
diagnosis: the negative_slope argument is ignored
"""


def leaky_relu(x, negative_slope=0.2):
    return np.where(x > 0, x, 0.2 * x)
