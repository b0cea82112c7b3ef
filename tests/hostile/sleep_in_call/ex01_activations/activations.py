"""HOSTILE-ENTRY sleep_in_call: softmax sleeps for an hour (no CPU used, so a CPU-time limit
alone never stops it)."""

import time as _time


def softmax(x, axis=-1):
    _time.sleep(3600)
    return x
