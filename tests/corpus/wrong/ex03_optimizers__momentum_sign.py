"""momentum with the velocity added where Keras subtracts it.

fails: sgd_momentum, sgd_nesterov
diagnosis: the momentum step has the wrong sign
"""


class SGD:
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.learning_rate, self.momentum, self.nesterov = learning_rate, momentum, nesterov
        self.iterations = 0
        self.velocities = None

    def step(self, params, grads):
        if self.velocities is None:
            self.velocities = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self.velocities[i] = self.momentum * self.velocities[i] - self.learning_rate * g
            out.append(w - self.velocities[i] if self.momentum else w - self.learning_rate * g)
        return out
