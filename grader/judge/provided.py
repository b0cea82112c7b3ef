"""Objects the judge hands to a student's code and computes for itself.

A provided object stays in the judge: the student's code holds a stand-in
(``grader.worker.serve.JudgeObject``) whose methods are requests back here
(``Submission.provide``). So the maths of a provided object is never in reach of the
student's code, and the judge counts the calls itself.
"""

from typing import Any

import numpy as np


class SGD:
    """Plain gradient descent with the ex03 interface, for ex04's ``train``::

        w = w - learning_rate * g

    Args:
        learning_rate: the step size (default 0.01, as ``keras.optimizers.SGD``).
    """

    methods = ("step",)

    def __init__(self, learning_rate: float = 0.01):
        self.learning_rate = float(learning_rate)
        self.iterations = 0
        """Steps taken: counted here, never asked of the student's process."""

    def attributes(self) -> dict[str, Any]:
        """What the stand-in shows as plain attributes."""
        return {"learning_rate": self.learning_rate}

    def step(self, params: Any, grads: Any) -> list[np.ndarray]:
        """The parameters after one step; a TypeError or ValueError (raised in the student's
        code) for arguments that are not two lists of arrays of the same shapes."""
        if not isinstance(params, list | tuple) or not isinstance(grads, list | tuple):
            raise TypeError("step(params, grads) takes two lists of arrays")
        if len(params) != len(grads):
            raise ValueError(f"step got {len(params)} params but {len(grads)} grads")
        new = []
        for w, g in zip(params, grads, strict=True):
            w, g = np.asarray(w), np.asarray(g)
            if w.dtype.kind not in "iuf" or g.dtype.kind not in "iuf":
                raise TypeError("step(params, grads) takes arrays of numbers")
            if w.shape != g.shape:
                raise ValueError(f"a parameter of shape {w.shape} got a gradient of {g.shape}")
            new.append(w - self.learning_rate * g)
        self.iterations += 1
        return new
