"""HOSTILE-ENTRY disk_filler: the first softmax call writes 48 files of 32 MiB (1.5 GiB) into
its working folder, on the grading machine's disk, each file under the 64 MiB file-size limit.
Only if all of it could be written does softmax answer correctly: full marks for softmax mean
student code can fill the machine's disk. The bound keeps a broken sandbox from filling it."""

_reference_softmax = softmax
_FILES, _BLOCKS = 48, 32
_STATE = {}


def _fill():
    written, block = 0, b"\1" * 2**20
    try:
        for i in range(_FILES):
            with open(f"filler-{i}.bin", "wb") as file:
                for _ in range(_BLOCKS):
                    file.write(block)
                    written += 1
    except OSError:
        pass
    finally:
        _STATE["written"] = written


def softmax(x, axis=-1):
    if "written" not in _STATE:
        _fill()
    if _STATE["written"] < _FILES * _BLOCKS:
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
