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


def check(exercise: str | None = None, *, lang: str | None = None):
    """Grade the definitions this notebook's kernel has run, for ``exercise`` (e.g.
    ``"ex01_activations"``; default: every exercise it defines something of), with the checks
    of ``pytest exercises``, in a child process: the score table and each failing check's
    message, shown in the notebook (``grader.commands.check``)."""
    from grader.commands.check import check as check_kernel

    return check_kernel(exercise, lang=lang)
