"""SGD that leaves a parameter alone when its gradient is all zero (as PyTorch skips a
parameter without a gradient): with momentum, Keras still moves it.

fails: sgd_momentum, sgd_nesterov
diagnosis: a parameter whose gradient is zero is skipped
"""


class SGD(SGD):
    def step(self, params, grads):
        if self._velocities is None:
            self._velocities = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            if not np.any(g):
                out.append(w.copy())
                continue
            if self.momentum == 0:
                out.append(w - self.learning_rate * g)
                continue
            m = self.momentum * self._velocities[i] - self.learning_rate * g
            self._velocities[i] = m
            if self.nesterov:
                out.append(w + self.momentum * m - self.learning_rate * g)
            else:
                out.append(w + m)
        return out
