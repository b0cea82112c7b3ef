"""Adagrad whose accumulator starts at zero.

fails: adagrad, optimizer_defaults
diagnosis: the accumulator starts at zero
"""


class Adagrad:
    def __init__(self, learning_rate=0.001, initial_accumulator_value=0.1, epsilon=1e-7):
        self.learning_rate = learning_rate
        self.initial_accumulator_value = initial_accumulator_value
        self.epsilon = epsilon
        self.iterations = 0
        self.acc = None

    def step(self, params, grads):
        if self.acc is None:
            self.acc = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self.acc[i] += g**2
            out.append(w - self.learning_rate * g / (np.sqrt(self.acc[i]) + self.epsilon))
        return out
