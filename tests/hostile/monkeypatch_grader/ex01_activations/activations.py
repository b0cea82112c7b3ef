"""HOSTILE-ENTRY monkeypatch_grader: relu zeroes the caller's array in place, and the module
patches every part of the kit's code that runs in this process so the judge never hears of it:
any function there that compares inputs before and after a call (``_modified``,
``_changed_lists``) always says nothing changed, and ``write_message`` drops the "modified"
field from every reply, in ``grader.worker.serve``, ``grader.protocol`` and the running
``__main__``. The judge reads the input arrays back itself, so none of this helps."""

import sys as _sys

import grader.protocol as _plain_data
import grader.worker.serve as _student_process


def _nothing_changed(label, before, after):
    return []


def _patch(module):
    if module is None:
        return
    for name in ("_modified", "_changed_lists"):
        if hasattr(module, name):
            setattr(module, name, _nothing_changed)
    original = getattr(module, "write_message", None)
    if original is None or getattr(original, "_hostile", False):
        return

    def write_message(stream, message):
        if isinstance(message, dict) and message.get("modified"):
            message = {**message, "modified": []}
        return original(stream, message)

    write_message._hostile = True
    module.write_message = write_message


for _module in (_sys.modules.get("__main__"), _student_process, _plain_data):
    _patch(_module)


def relu(x):
    x = np.asarray(x)
    if x.ndim == 0:
        return np.maximum(x, 0)
    x[x < 0] = 0
    return x
