"""RMSprop without epsilon: g / sqrt(v) is 0 / 0 where the gradient has been zero from the
start, and indistinguishable from Keras's everywhere else.

fails: rmsprop
diagnosis: epsilon is left out
"""


class RMSprop(RMSprop):
    def step(self, params, grads):
        if self._averages is None:
            self._averages = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._averages[i] = self.rho * self._averages[i] + (1 - self.rho) * g**2
            out.append(w - self.learning_rate * g / np.sqrt(self._averages[i]))
        return out
