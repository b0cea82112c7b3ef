"""plain SGD that adds the gradient.

fails: sgd, optimizer_defaults
diagnosis: a step up the gradient
"""


class SGD(SGD):
    def step(self, params, grads):
        if self.momentum:
            return super().step(params, grads)
        self.iterations += 1
        return [w + self.learning_rate * g for w, g in zip(params, grads)]
