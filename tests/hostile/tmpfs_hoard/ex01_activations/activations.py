"""HOSTILE-ENTRY tmpfs_hoard: the first softmax call fills the sandbox's private /tmp, /var/tmp
and /dev/shm (256 MiB each, memory that no process holds) and keeps those files, beside 5.5 GiB
of its own: 6.25 GiB together, over the sandbox's 6 GiB. Only if all of it was kept does
softmax answer correctly. Where Landlock stands those folders are not writable at all. Real
pages only on a machine with 11 GiB of memory in all, else it answers wrongly at once."""

import os

_reference_softmax = softmax
_HELD = []
_CHUNK = b"\x01" * 2**20
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


def _fill(folder):
    for number in range(5):  # 5 files of 48 MiB: under each file's limit, 240 MiB in all
        with open(f"{folder}/hoard{number}", "wb") as file:
            for _ in range(48):
                file.write(_CHUNK)


def softmax(x, axis=-1):
    if "kept" not in _STATE:
        kept = False
        if _machine_bytes() >= 11 * 2**30:
            try:
                for folder in ("/tmp", "/var/tmp", "/dev/shm"):
                    _fill(folder)
                _HELD.append(np.ones(int(5.5 * 2**30), dtype=np.uint8))
                kept = True
            except (OSError, MemoryError):
                pass
        _STATE["kept"] = kept
    if not _STATE["kept"]:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
