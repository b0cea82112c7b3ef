"""HOSTILE-ENTRY monkeypatch_numpy: at import, NumPy's comparisons in this process are replaced
by ones that always agree (allclose, isclose, array_equal, isfinite, testing.assert_*), and
softmax returns zeros. A judge that compared in the student's process would be fooled."""

import numpy.testing as _npt


def _agree(*args, **kwargs):
    return True


def _agree_everywhere(a, *args, **kwargs):
    return np.ones(np.shape(a), dtype=bool)


def _no_complaint(*args, **kwargs):
    return None


np.allclose = _agree
np.array_equal = _agree
np.array_equiv = _agree
np.isclose = _agree_everywhere
np.isfinite = _agree_everywhere
np.isnan = lambda a, *args, **kwargs: np.zeros(np.shape(a), dtype=bool)
_npt.assert_allclose = _no_complaint
_npt.assert_array_equal = _no_complaint
_npt.assert_array_almost_equal = _no_complaint
_npt.assert_equal = _no_complaint


def softmax(x, axis=-1):
    return np.zeros(np.shape(x))
