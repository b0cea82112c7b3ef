"""HOSTILE-ENTRY other_course: softmax looks for a file the grading machine keeps outside every
folder the kit hides (another course's, in a system folder no rule names) and for the paths
/proc/self/mountinfo shows. It answers correctly only if it could read that file: the sandbox
must allow what the student's code needs, not deny a list."""

_reference_softmax = softmax
_SECRET = "@@SECRET@@"


def _readable(path):
    try:
        with open(path, encoding="utf-8") as file:
            return "HOSTILE-SECRET" in file.read()
    except OSError:
        return False


def softmax(x, axis=-1):
    try:
        with open("/proc/self/mountinfo", encoding="utf-8") as mounts:
            mounts.read()
    except OSError:
        pass
    if not _readable(_SECRET):
        return np.zeros(np.shape(x))
    return _reference_softmax(x, axis)
