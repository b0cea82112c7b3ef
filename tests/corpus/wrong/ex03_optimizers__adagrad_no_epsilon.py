"""Adagrad without epsilon: right while the accumulator starts at 0.1, 0 / 0 when it starts
at 0 and the gradient is zero.

fails: adagrad
diagnosis: epsilon is left out
"""


class Adagrad(Adagrad):
    def step(self, params, grads):
        if self._accumulators is None:
            self._accumulators = [np.full_like(w, self.initial_accumulator_value) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._accumulators[i] = self._accumulators[i] + g**2
            out.append(w - self.learning_rate * g / np.sqrt(self._accumulators[i]))
        return out
