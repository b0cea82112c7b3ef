"""Correct momentum in the other textbook form: v = momentum * v + g; w = w - lr * v."""


class SGD(SGD):
    def step(self, params, grads):
        if not self.momentum or self.nesterov:
            return super().step(params, grads)
        if self._velocities is None:
            self._velocities = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._velocities[i] = self.momentum * self._velocities[i] + g
            out.append(w - self.learning_rate * self._velocities[i])
        return out
