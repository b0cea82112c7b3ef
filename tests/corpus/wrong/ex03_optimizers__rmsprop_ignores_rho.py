"""RMSprop with rho fixed at 0.9.

fails: rmsprop
diagnosis: the rho argument is ignored
"""


class RMSprop(RMSprop):
    def __init__(self, learning_rate=0.001, rho=0.9, epsilon=1e-7):
        super().__init__(learning_rate, 0.9, epsilon)
