"""Adam without epsilon: m_hat / sqrt(v_hat) is 0 / 0 while a gradient has been zero from the
start.

fails: adam
diagnosis: epsilon is left out
"""


class Adam(Adam):
    def step(self, params, grads):
        if self._moments is None:
            self._moments = [(np.zeros_like(w), np.zeros_like(w)) for w in params]
        self.iterations += 1
        t = self.iterations
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            m, v = self._moments[i]
            m = self.beta_1 * m + (1 - self.beta_1) * g
            v = self.beta_2 * v + (1 - self.beta_2) * g**2
            self._moments[i] = (m, v)
            m_hat, v_hat = m / (1 - self.beta_1**t), v / (1 - self.beta_2**t)
            out.append(w - self.learning_rate * m_hat / np.sqrt(v_hat))
        return out
