"""Automated marking for the deep-learning exercise kit.

The package is grouped by the process each part runs in: ``worker`` beside the student's
code, ``isolation`` the walls around it, ``judge`` the grading process, ``results`` the score
report and what is derived from it, ``commands`` the ``grader`` command; ``catalog``,
``words`` and ``protocol`` are shared by all. README.md's developer section has the table.
"""

__version__ = "0.1.0"

from pathlib import Path as _Path

PACKAGE_DIR = _Path(__file__).resolve().parent
"""The grader package's own folder, which holds the course data (exercises.toml, golden/,
messages/, schema/, templates/, hidden_example/)."""
GRADER_ROOT = PACKAGE_DIR.parent
"""The folder holding the grader package: a checkout of the kit, or site-packages."""
