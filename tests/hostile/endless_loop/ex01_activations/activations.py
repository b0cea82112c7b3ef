"""HOSTILE-ENTRY endless_loop: softmax never returns (a busy loop: CPU time, not sleep)."""


def softmax(x, axis=-1):
    n = 0
    while True:
        n += 1
