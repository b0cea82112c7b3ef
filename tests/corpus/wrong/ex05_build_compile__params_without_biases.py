"""count_params that forgets the biases.

fails: count_params
diagnosis: the biases are not counted
"""


def count_params(input_dim, layer_units):
    sizes = [input_dim, *layer_units]
    return sum(a * b for a, b in zip(sizes, sizes[1:]))
