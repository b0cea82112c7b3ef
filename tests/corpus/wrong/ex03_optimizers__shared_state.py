"""SGD with one velocity shared by every parameter.

fails: sgd_momentum, sgd_nesterov
status: error
diagnosis: one state shared by all parameters
"""


class SGD(SGD):
    def step(self, params, grads):
        if not self.momentum:
            return super().step(params, grads)
        self.iterations += 1
        if self._velocities is None:
            self._velocities = np.zeros_like(params[0])
        out = []
        for w, g in zip(params, grads):
            self._velocities = self.momentum * self._velocities - self.learning_rate * g
            out.append(
                w + self._velocities
                if not self.nesterov
                else w + self.momentum * self._velocities - self.learning_rate * g
            )
        return out
