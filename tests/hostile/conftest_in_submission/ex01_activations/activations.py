"""HOSTILE-ENTRY conftest_in_submission: softmax returns zeros; the submission also carries a
conftest.py (at its root and beside this file), a pytest.ini and test files that would turn
every check into a pass and write a full-marks report, if pytest loaded them."""


def softmax(x, axis=-1):
    return np.zeros(np.shape(x))
