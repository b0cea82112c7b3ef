"""leaky_relu with keras.layers.LeakyReLU's default slope.

fails: leaky_relu
diagnosis: the wrong default slope
"""


def leaky_relu(x, negative_slope=0.3):
    return np.where(x > 0, x, negative_slope * x)
