"""Correct optimizers in textbook form: positive velocity, epsilon outside the square root,
Keras's folded bias correction, state in a dict."""


class SGD:
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        self.learning_rate, self.momentum, self.nesterov = learning_rate, momentum, nesterov
        self.iterations = 0
        self.v = {}

    def step(self, params, grads):
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            v = self.momentum * self.v.get(i, 0.0) + self.learning_rate * g
            self.v[i] = v
            out.append(w - (self.momentum * v + self.learning_rate * g) if self.nesterov else w - v)
        return out


class Adagrad(Adagrad):
    def step(self, params, grads):
        if self._accumulators is None:
            self._accumulators = [np.full_like(w, self.initial_accumulator_value) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._accumulators[i] = self._accumulators[i] + g * g
            out.append(w - self.learning_rate * g / (np.sqrt(self._accumulators[i]) + self.epsilon))
        return out


class RMSprop(RMSprop):
    def step(self, params, grads):
        if self._averages is None:
            self._averages = [np.zeros_like(w) for w in params]
        self.iterations += 1
        out = []
        for i, (w, g) in enumerate(zip(params, grads)):
            self._averages[i] = self.rho * self._averages[i] + (1 - self.rho) * g * g
            out.append(w - self.learning_rate * g / (np.sqrt(self._averages[i]) + self.epsilon))
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
            v = v + (g * g - v) * (1 - self.beta_2)
            self._moments[i] = (m, v)
            out.append(w - alpha * m / (np.sqrt(v) + self.epsilon))
        return out
