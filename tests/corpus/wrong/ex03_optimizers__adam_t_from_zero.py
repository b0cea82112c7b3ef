"""Adam that uses the step count before adding 1: the first step divides by zero.

fails: adam, optimizer_defaults
diagnosis: the step counter t is 0 in the bias correction
"""


class Adam(Adam):
    def step(self, params, grads):
        if self._moments is None:
            self._moments = [(np.zeros_like(w), np.zeros_like(w)) for w in params]
        t = self.iterations
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            m, v = self._moments[i]
            m = self.beta_1 * m + (1 - self.beta_1) * g
            v = self.beta_2 * v + (1 - self.beta_2) * g**2
            self._moments[i] = (m, v)
            m_hat, v_hat = m / (1 - self.beta_1**t), v / (1 - self.beta_2**t)
            out.append(w - self.learning_rate * m_hat / (np.sqrt(v_hat) + self.epsilon))
        return out
