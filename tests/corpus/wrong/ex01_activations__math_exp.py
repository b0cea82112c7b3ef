"""sigmoid with math.exp, which takes one number only.

fails: sigmoid, sigmoid_extreme, sigmoid_grad, inputs_unmodified
status: error
diagnosis: Use NumPy's functions
"""
import math


def sigmoid(x):
    return 1 / (1 + math.exp(-x))
