"""HOSTILE-ENTRY memory_spread: while the module is imported (which may take longer than a
call), it forks 9 children that each fill 1 GiB of memory (written to, so the pages are real)
and hold it until all have: 9 GiB at once, more than the 8 GiB one process may have, each
process well under it. Only if all 9 held their GiB together does softmax answer correctly:
full marks for softmax mean the memory limit is per process, and forking multiplies it. On a
machine with less than 13 GiB of memory in all the attack is not made (it would hurt the machine
rather than the sandbox) and softmax returns zeros. The machine's total, not what is free at the
moment, decides: what neighbouring gradings hold must not change how it is graded."""

import os as _os
import select as _select
import time as _time

_reference_softmax = softmax
_CHILDREN = 9


def _machine_bytes():
    try:
        with open("/proc/meminfo") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError):
        pass
    return 0


def _spread():
    ready_read, ready_write = _os.pipe()
    release_read, release_write = _os.pipe()
    children = []
    for _ in range(_CHILDREN):
        pid = _os.fork()
        if pid == 0:
            try:
                _os.close(ready_read)
                _os.close(release_write)
                block = np.ones(2**30, dtype=np.uint8)
                _os.write(ready_write, b"1")
                _select.select([release_read], [], [], 30)
                del block
            finally:
                _os._exit(0)
        children.append(pid)
    _os.close(ready_write)
    _os.close(release_read)
    held, deadline = 0, _time.monotonic() + 40
    while held < _CHILDREN and (left := deadline - _time.monotonic()) > 0:
        if not _select.select([ready_read], [], [], left)[0]:
            break
        got = _os.read(ready_read, 64)
        if not got:
            break
        held += len(got)
    _os.close(release_write)
    _os.close(ready_read)
    for pid in children:
        try:
            _os.waitpid(pid, 0)
        except ChildProcessError:
            pass
    return held


_HELD = _spread() if _machine_bytes() >= (_CHILDREN + 4) * 2**30 else 0


def softmax(x, axis=-1):
    if _HELD < _CHILDREN:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
