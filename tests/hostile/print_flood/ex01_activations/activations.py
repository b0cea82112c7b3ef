"""HOSTILE-ENTRY print_flood: each softmax call prints 100 lines of 1 MiB (100 MiB). Only if all
of it could be written does softmax answer correctly: full marks for softmax mean the
output was not capped."""

import sys as _sys

_reference_softmax = softmax
_LINE = "x" * (2**20 - 1)


def softmax(x, axis=-1):
    for _ in range(100):
        print(_LINE)
    _sys.stdout.flush()
    return _reference_softmax(x, axis)
