"""HOSTILE-ENTRY scavenge_kit: writes none of ex03 and ex04, and answers both with whatever
grading code of the kit it can find from the student's process: every module already loaded
(``sys.modules``), every module of the kit it can import by name (``grader.judge.*``,
``grader.checks.*``, ``solutions.*``), every ``.py`` file it can read under the kit's folders
(imported from its path), and every function or class the garbage collector holds. It looks
for optimizer classes and update rules (``SGD``, ``Adam``, ``simulate``, ``_update``) here,
and ex04's ``_sigmoid``, ``_loss``, ``_gradients`` and ``train`` in ex04_neuron/neuron.py.
Where nothing is found, every function raises NotImplementedError: its honest part is 0."""

import gc as _gc
import importlib as _importlib
import importlib.util as _util
import os as _os
import pkgutil as _pkgutil
import sys as _sys

import numpy as np

_NAMES = (
    "grader.judge.optimizer_rules",
    "grader.judge.provided",
    "grader.judge.inspect_files",
    "grader.checks.ex03_optimizers",
    "grader.checks.ex04_neuron",
    "grader.optimizer_rules",
    "grader.provided",
    "solutions.ex03_optimizers.optimizers",
    "solutions.ex04_neuron.neuron",
)


def _kit_folders():
    """The grader package's folder and every ``grader`` or ``solutions`` folder beside the
    kit's root, the package's parent and each ``sys.path`` entry."""
    roots = {"@@KIT@@", *_sys.path}
    found = set()
    try:
        import grader

        package = _os.path.dirname(_os.path.abspath(grader.__file__))
        found.add(package)
        roots |= {_os.path.dirname(package), str(getattr(grader, "GRADER_ROOT", ""))}
    except Exception:
        pass
    for root in roots:
        for name in ("grader", "solutions"):
            found.add(_os.path.join(root, name))
    return [f for f in found if f and _os.path.isdir(f)]


def _modules():
    """Every module this process can reach that belongs to the kit."""
    seen = {}
    for name, module in list(_sys.modules.items()):
        if name.startswith(("grader", "solutions", "reference")) and module is not None:
            seen[name] = module
    for name in _NAMES:
        try:
            seen[name] = _importlib.import_module(name)
        except Exception:
            pass
    try:
        import grader

        for info in _pkgutil.walk_packages(grader.__path__, "grader."):
            try:
                seen[info.name] = _importlib.import_module(info.name)
            except Exception:
                pass
    except Exception:
        pass
    files = 0
    for folder in _kit_folders():
        for root, _, names in _os.walk(folder):
            for name in names:
                if not name.endswith(".py") or files > 400:
                    continue
                files += 1
                path = _os.path.join(root, name)
                try:
                    spec = _util.spec_from_file_location(f"_scavenged_{files}", path)
                    module = _util.module_from_spec(spec)
                    spec.loader.exec_module(module)
                    seen[path] = module
                except BaseException:
                    pass
    return list(seen.values())


_MODULES = _modules()  # at import, within the import's time limit


def _found(*names):
    """The first function or class with one of ``names`` in any module, or held by gc."""
    for module in _MODULES:
        for name in names:
            value = getattr(module, name, None)
            if callable(value):
                return value
    for value in _gc.get_objects():
        if callable(value) and getattr(value, "__name__", None) in names:
            if getattr(value, "__module__", "") != __name__:
                return value
    return None


def _optimizer(name):
    cls = _found(name)
    simulate = _found("simulate")
    if cls is not None and getattr(cls, "__module__", "") != __name__:
        return cls
    if simulate is None:
        return None

    class Scavenged:
        def __init__(self, **kwargs):
            self.kwargs, self.starts, self.grads = kwargs, [], []

        def step(self, params, grads):
            self.starts.append([np.asarray(p) for p in params])
            self.grads.append([np.asarray(g) for g in grads])
            return simulate(name, self.kwargs, self.starts, self.grads)[-1]

    return Scavenged


def _make(name):
    def build(*args, **kwargs):
        found = _optimizer(name)
        if found is None:
            raise NotImplementedError(f"nothing to scavenge for {name}")
        return found(*args, **kwargs)

    return build


SGD = _make("SGD")
Adagrad = _make("Adagrad")
RMSprop = _make("RMSprop")
Adam = _make("Adam")
