"""Correct optimizers in tf.keras's own forms: Adam with the bias correction folded into the
step size and the moments updated as m += (g - m) * (1 - beta_1), Nesterov as PyTorch writes
it (v = momentum * v + g; w -= lr * (g + momentum * v)), RMSprop through np.reciprocal."""


class SGD(SGD):
    def step(self, params, grads):
        if not self.nesterov:
            return super().step(params, grads)
        if self._velocities is None:
            self._velocities = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._velocities[i] = self.momentum * self._velocities[i] + g
            out.append(w - self.learning_rate * (g + self.momentum * self._velocities[i]))
        return out


class RMSprop(RMSprop):
    def step(self, params, grads):
        if self._averages is None:
            self._averages = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._averages[i] = self._averages[i] + (g * g - self._averages[i]) * (1 - self.rho)
            scale = np.reciprocal(np.sqrt(self._averages[i] + self.epsilon))
            out.append(w - self.learning_rate * g * scale)
        return out


class Adam(Adam):
    def step(self, params, grads):
        if self._moments is None:
            self._moments = [(np.zeros_like(w), np.zeros_like(w)) for w in params]
        self.iterations += 1
        t = self.iterations
        alpha = self.learning_rate * np.sqrt(1 - self.beta_2**t) / (1 - self.beta_1**t)
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            m, v = self._moments[i]
            m = m + (g - m) * (1 - self.beta_1)
            v = v + (g**2 - v) * (1 - self.beta_2)
            self._moments[i] = (m, v)
            out.append(w - m * alpha / (np.sqrt(v) + self.epsilon))
        return out
