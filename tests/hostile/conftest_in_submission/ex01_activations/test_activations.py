"""HOSTILE-ENTRY conftest_in_submission: test files a grader must not run."""


def test_softmax():
    assert True


def test_everything_passes():
    assert True
