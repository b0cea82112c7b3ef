"""Which folders a judge hides from the student's code, and the policy that says so."""

import contextlib
import os
import site
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

from grader import GRADER_ROOT, PACKAGE_DIR
from grader.isolation.sandbox import Policy


def grader_copies() -> set[Path]:
    """Every folder a package named ``grader`` could be imported from, besides the one this
    process runs: another checkout or install on ``sys.path``, an editable install's target
    (found through the import system's own finders). A student's process must see none of
    them, or it could import the checks from a second copy."""
    found = set()
    for finder in sys.meta_path:
        with contextlib.suppress(Exception):
            spec = finder.find_spec("grader", None)
            found |= {Path(p).resolve() for p in (spec.submodule_search_locations or [])}
    for entry in sys.path:
        candidate = Path(entry or os.curdir) / "grader"
        if (candidate / "__init__.py").is_file():
            found.add(candidate.resolve())
    return {copy for copy in found if copy.is_dir()} - {PACKAGE_DIR}


def _checkout_folders(root: Path, needed: Sequence[Path]) -> list[str]:
    """In a checkout of the kit: every folder beside the grader package (``solutions/``,
    ``tests/``, ``.git``, which holds the solutions too), except one Python lives in (a
    ``.venv``)."""
    root = root.resolve()
    if not (root / "pyproject.toml").is_file():  # installed: the root is site-packages
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
    others = grader_copies()
    folders += [str(copy) for copy in sorted(others)]
    for root in (GRADER_ROOT, *(copy.parent for copy in others)):
        folders += _checkout_folders(root, needed)
    return Policy(hide=tuple(dict.fromkeys(folders)), temporary=(tempfile.gettempdir(),))
