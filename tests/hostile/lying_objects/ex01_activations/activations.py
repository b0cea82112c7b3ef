"""HOSTILE-ENTRY lying_objects: softmax returns objects that claim to equal anything: an
ndarray subclass and a float subclass whose ``__eq__`` is always True and whose
``__array__``/``__float__`` give the right-looking answer of another input, a sequence
that pretends to be an array, and an object array of liars. Each call returns the next
kind. A judge that compared with ``==`` or ``np.asarray`` on the student's objects would
be fooled."""

import itertools as _itertools

_reference_softmax = softmax


class _AlwaysEqualArray(np.ndarray):
    def __eq__(self, other):
        return np.ones(np.shape(other), dtype=bool)

    __ne__ = lambda self, other: np.zeros(np.shape(other), dtype=bool)  # noqa: E731

    def __array__(self, dtype=None, copy=None):
        return np.full(self.shape, 0.5)


class _AlwaysEqualFloat(float):
    def __eq__(self, other):
        return True

    def __ne__(self, other):
        return False

    def __float__(self):
        return 0.5

    def __array__(self, dtype=None, copy=None):
        return np.array(0.5)


class _ArrayLike:
    def __init__(self, shape):
        self.shape = shape
        self.dtype = np.dtype(float)
        self.__array_interface__ = np.zeros(shape).__array_interface__

    def __array__(self, dtype=None, copy=None):
        return np.zeros(self.shape)

    def __eq__(self, other):
        return True

    def __len__(self):
        return self.shape[0] if self.shape else 0


_KINDS = _itertools.cycle(["ndarray_subclass", "float_subclass", "array_like", "object_array"])


def softmax(x, axis=-1):
    shape = np.shape(x)
    kind = next(_KINDS)
    if kind == "ndarray_subclass":
        return np.zeros(shape).view(_AlwaysEqualArray)
    if kind == "float_subclass":
        return _AlwaysEqualFloat(0.5)
    if kind == "array_like":
        return _ArrayLike(shape)
    liars = np.empty(shape, dtype=object)
    liars[...] = _AlwaysEqualFloat(0.5)
    return liars
