"""Nothing under tests/hostile is a test of the kit: the entries are submissions, some with
their own conftest.py and test files, which the kit's own pytest run must never load.
tests/test_hostile.py grades them."""

collect_ignore_glob = ["*"]
