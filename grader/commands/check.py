"""``grader.check("ex01_activations")`` in a notebook: grade what the kernel has defined.

The kernel's executed cells (IPython's ``In``, in the order they ran, so the kernel's last
definition of a name wins) are read as a notebook's cells are read for grading
(``grader.commands.notebook_code``): only imports, functions, classes and assignments that
call nothing are kept, never a cell's top-level statements. Each exercise's module is written
to a temporary folder laid out like ``exercises/`` and checked by ``pytest`` in a child
process, exactly as ``pytest exercises`` checks it: the student's code never runs in the
kernel's own process, so a crash or an endless loop in it cannot take the notebook down.
"""

import subprocess
import sys
import tempfile
from pathlib import Path

from grader.catalog import Exercise, exercise, exercises
from grader.commands.notebook_code import Notebook, extract, read_cell
from grader.results.model import read_report
from grader.results.notebook_view import CheckView
from grader.words import language

PYTEST_INI = "[pytest]\naddopts = --strict-markers --strict-config -p no:cacheprovider\n"
SESSION_LIMIT = 900.0
"""Seconds the child ``pytest`` may take in all before it is stopped (each call into the
student's code has its exercise's own, much shorter, limit)."""


def kernel_cells() -> list[str]:
    """The source of every cell the kernel has run, in the order it ran them; outside IPython,
    the running script's text."""
    try:
        from IPython import get_ipython
    except ImportError:
        get_ipython = None
    shell = get_ipython() if get_ipython else None
    if shell is not None:
        history = shell.user_ns.get("In")
        if isinstance(history, list):
            return [str(cell) for cell in history[1:]]
    main = sys.modules.get("__main__")
    path = getattr(main, "__file__", None)
    return [Path(path).read_text(encoding="utf-8")] if path else []


def check(name: str | None = None, *, lang: str | None = None) -> CheckView:
    """Grade the kernel's definitions for exercise ``name`` (default: every exercise it defines
    something of) in a child process; what to show in the notebook."""
    lang = lang or language()
    chosen = [exercise(name)] if name else list(exercises())
    notebook = Notebook(
        "this kernel",
        [read_cell(source, number) for number, source in enumerate(kernel_cells(), start=1)],
    )
    defined = [e for e in chosen if notebook.defines(e)]
    if not defined:
        return CheckView(None, lang, missing=[e.name for e in chosen], names=_names(chosen))
    with tempfile.TemporaryDirectory(prefix="grader-check-") as tmp:
        folder = Path(tmp)
        for one in defined:
            path = folder / "exercises" / one.relative_path
            path.parent.mkdir(parents=True)
            path.write_bytes(extract(notebook, one).code)
        (folder / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
        report_path = folder / "score-report.json"
        command = [sys.executable, "-m", "pytest", str(folder / "exercises"), "-q", "--tb=no"]
        command += [f"--rootdir={folder}", f"--score-report={report_path}", f"--lang={lang}"]
        try:
            done = subprocess.run(
                command,
                cwd=folder,
                capture_output=True,
                text=True,
                timeout=SESSION_LIMIT,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return CheckView(None, lang, stopped=SESSION_LIMIT)
        report = read_report(report_path)
        if report is None:
            return CheckView(None, lang, output=(done.stdout + done.stderr)[-3000:])
    missing = [e.name for e in chosen if e not in defined] if name else []
    return CheckView(report, lang, missing=missing, names=_names(chosen))


def _names(chosen: list[Exercise]) -> dict[str, str]:
    return {e.name: ", ".join(e.defines) for e in chosen}
