"""SGD that writes the new parameters back into the caller's list.

fails: inputs_unmodified
diagnosis: params[0] (the list item was replaced)
"""


class SGD(SGD):
    def step(self, params, grads):
        new_params = super().step(params, grads)
        for i, w in enumerate(new_params):
            params[i] = w
        return params
