"""HOSTILE-ENTRY os_exit: softmax ends its process with ``os._exit(0)`` (no exception, no
cleanup, a "successful" status) instead of answering."""

import os as _os


def softmax(x, axis=-1):
    print("softmax: leaving now")
    _os._exit(0)
