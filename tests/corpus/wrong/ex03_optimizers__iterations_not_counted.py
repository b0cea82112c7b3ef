"""SGD that never counts its steps.

fails: iterations
diagnosis: iterations is not counted
"""


class SGD(SGD):
    def step(self, params, grads):
        out = super().step(params, grads)
        self.iterations = 0
        return out
