"""One check module per exercise, named like the exercise: ``grader/checks/<exercise>.py``.

Each ``test_<check>`` function is one check; its points are in ``grader/exercises.toml``.
"""
