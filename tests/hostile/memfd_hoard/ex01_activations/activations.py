"""HOSTILE-ENTRY memfd_hoard: the first softmax call writes 7 GiB into memfds of 48 MiB (each
under the per-file limit) that it never maps, so that no process's resident memory shows them,
and keeps them open. Only if all of it was kept does softmax answer correctly. It writes real
pages only on a machine with 11 GiB of memory in all (read from its total, never from what is
free), else it stops at 1 GiB and answers wrongly."""

import os

_reference_softmax = softmax
_HELD = []
_CHUNK = b"\x01" * 2**20
_FILE_MIB = 48
_TOTAL_MIB = 7 * 1024
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
    if "kept" not in _STATE:
        wanted = _TOTAL_MIB if _machine_bytes() >= (_TOTAL_MIB + 4096) * 2**20 else 1024
        kept = 0
        try:
            while kept < wanted:
                file = os.memfd_create("hoard")
                for _ in range(_FILE_MIB):
                    os.write(file, _CHUNK)
                _HELD.append(file)
                kept += _FILE_MIB
        except OSError:
            pass
        _STATE["kept"] = kept
    if _STATE["kept"] < _TOTAL_MIB:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
