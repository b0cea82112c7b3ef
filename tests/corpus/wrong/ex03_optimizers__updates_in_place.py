"""SGD that updates the caller's arrays in place and returns them.

fails: inputs_unmodified
diagnosis: changed its input params[0]
"""


class SGD(SGD):
    def step(self, params, grads):
        if self.momentum:
            return super().step(params, grads)
        self.iterations += 1
        for w, g in zip(params, grads):
            w -= self.learning_rate * g
        return params
