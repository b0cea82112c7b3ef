"""Read by any pytest that collects ``exercises/``: where the kit's grader is not loaded (a
``pytest`` from outside the kit's virtual environment, which would collect nothing and say
only "no tests ran"), it stops and says why. With the grader loaded it does nothing.

It imports nothing of the kit, which may not be installed in that Python: it reads its
sentence from ``grader/messages/`` beside ``exercises/`` where that folder is there."""

import os
import sys
import tomllib
from pathlib import Path

import pytest

PLUGIN = "grader.judge.plugin"
MESSAGES = Path(__file__).resolve().parent.parent / "grader" / "messages"
FALLBACK = (
    "The kit's grader is not loaded in this pytest ({python}), so no check can run. "
    "Use the pytest of the kit's virtual environment: .venv/bin/pytest exercises "
    "(.venv\\Scripts\\pytest exercises on Windows), or activate the environment first."
)


def _sentence() -> str:
    """``setup.no_grader`` in the language ``grader.words.language`` would choose."""
    names = ("GRADER_LANG", "LC_ALL", "LC_MESSAGES", "LANG")
    codes = [os.environ.get(n, "").split(".")[0].split("_")[0].lower() for n in names]
    for code in [c for c in codes if c] + ["en"]:
        path = MESSAGES / f"{code}.toml"
        try:
            return tomllib.loads(path.read_text(encoding="utf-8"))["setup"]["no_grader"]
        except (OSError, ValueError, KeyError):
            continue
    return FALLBACK


def pytest_configure(config: pytest.Config) -> None:
    plugins = config.pluginmanager.get_plugins()
    if not any(getattr(plugin, "__name__", "") == PLUGIN for plugin in plugins):
        raise pytest.UsageError(_sentence().format(python=sys.executable))
