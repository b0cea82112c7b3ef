"""HOSTILE-ENTRY memory_bomb: the first softmax call takes 9 GiB of memory in 256 MiB blocks and
keeps it. Only if all of it was granted does softmax answer correctly: full marks for softmax
mean there was no memory limit. The blocks are written to (real pages) when the machine has
13 GiB of memory in all, else only reserved (which an address-space limit refuses all the same),
so that a broken sandbox cannot take a small machine. The choice reads the machine's total, never
what is free at the moment: what neighbouring gradings hold must not change how it is graded."""

_reference_softmax = softmax
_HOARD = []
_BLOCK = 256 * 2**20
_TOTAL = 9 * 2**30
_STATE = {}


def _machine_bytes():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def softmax(x, axis=-1):
    if "granted" not in _STATE:
        take = np.ones if _machine_bytes() >= _TOTAL + 4 * 2**30 else np.empty
        try:
            while len(_HOARD) * _BLOCK < _TOTAL:
                _HOARD.append(take(_BLOCK, dtype=np.uint8))
        finally:
            _STATE["granted"] = len(_HOARD) * _BLOCK
            if len(_HOARD) * _BLOCK < _TOTAL:
                _HOARD.clear()
    if _STATE["granted"] < _TOTAL:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
