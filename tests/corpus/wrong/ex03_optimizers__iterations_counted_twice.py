"""RMSprop that counts each step twice.

fails: iterations
diagnosis: iterations is counted twice per step
"""


class RMSprop(RMSprop):
    def step(self, params, grads):
        self.iterations += 1
        return super().step(params, grads)
