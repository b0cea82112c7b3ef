"""relu returning a Python list.

fails: relu
diagnosis: return a NumPy array
"""


def relu(x):
    return np.maximum(x, 0).tolist()
