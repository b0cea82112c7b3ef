"""Adam whose default learning rate is 0.01.

fails: optimizer_defaults
diagnosis: the default learning_rate=0.01 differs from Keras's 0.001
"""


class Adam(Adam):
    def __init__(self, learning_rate=0.01, beta_1=0.9, beta_2=0.999, epsilon=1e-7):
        super().__init__(learning_rate, beta_1, beta_2, epsilon)
