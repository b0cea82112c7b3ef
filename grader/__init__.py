"""Automated marking for the deep-learning exercise kit."""

__version__ = "0.1.0"

from pathlib import Path as _Path

GRADER_ROOT = _Path(__file__).resolve().parent.parent
"""The folder holding the grader package: a checkout of the kit, or site-packages."""
