"""HOSTILE-ENTRY cpu_hogs: softmax starts a dozen busy processes, each in a session of its own,
and answers wrongly. The attack is on its neighbours' time: a sandbox with a cgroup has one
CPU share however many processes it runs. None of them may outlive the sandbox."""

import os

_STATE = {}


def softmax(x, axis=-1):
    if "started" not in _STATE:
        _STATE["started"] = True
        for _ in range(12):
            if os.fork() == 0:
                os.setsid()
                while True:
                    pass
    return np.zeros(np.shape(x))
