"""Which folders a judge hides from the student's code, and the policy that says so."""

import site
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from grader import GRADER_ROOT
from grader.isolation.sandbox import Policy


def _checkout_folders(needed: Sequence[Path]) -> list[str]:
    """In a checkout of the kit: every folder beside the grader package (``solutions/``,
    ``tests/``, ``.git``, which holds the solutions too), except one Python lives in (a
    ``.venv``)."""
    root = GRADER_ROOT.resolve()
    if not (root / "pyproject.toml").is_file():  # installed: GRADER_ROOT is site-packages
        return []
    return [
        str(folder)
        for folder in sorted(root.iterdir())
        if folder.is_dir()
        and not folder.is_symlink()
        and folder.name != "grader"
        and not folder.name.endswith(".egg-info")
        and not any(folder == n or folder in n.parents for n in needed)
    ]


def sandbox_policy(hide: Sequence[Path]) -> Policy:
    """The walls around every student's process of this run (``grader.isolation.sandbox``).

    Raises ValueError for a folder inside Python's or the grader's own: hiding it would leave
    the student's process unable to import. (A folder that merely holds them, such as the
    temporary folder a kit was installed in, is fine: they show through.)"""
    package = (GRADER_ROOT / "grader").resolve()
    needed = [Path(n).resolve() for n in (sys.prefix, sys.base_prefix, *site.getsitepackages())]
    folders = []
    for folder in hide:
        folder = Path(folder).resolve()
        inside = [n for n in (*needed, package) if n == folder or n in folder.parents]
        if inside and package not in folder.parents:  # a suite inside the grader is fine
            raise ValueError(f"cannot hide {folder}: Python or the grader needs it")
        folders.append(str(folder))
    return Policy(hide=(*folders, *_checkout_folders(needed)), temporary=(tempfile.gettempdir(),))
