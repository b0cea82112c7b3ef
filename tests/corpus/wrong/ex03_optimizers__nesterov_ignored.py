"""SGD that accepts nesterov=True but applies classical momentum.

fails: sgd_nesterov
diagnosis: the nesterov argument is ignored
"""


class SGD(SGD):
    def __init__(self, learning_rate=0.01, momentum=0.0, nesterov=False):
        super().__init__(learning_rate, momentum, False)
