"""``grader release OUT``: what an instructor hands to students.

The exercises (stubs and READMEs), the grader with its visible checks, a student README, and
the GitHub Classroom workflow; no ``solutions/``, no kit tests, no hidden checks.
"""

import shutil
from pathlib import Path

from grader import GRADER_ROOT
from grader.commands.export import TEMPLATES, classroom_workflow

STUDENT_GITIGNORE = "__pycache__/\n*.egg-info/\n.venv/\n.grader/\nscore-report.json\n"
"""What a student's checks and hints leave behind, kept out of their commits."""
LEFT_OUT = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "score-report.json", ".grader", "hidden_example"
)
"""Caches and reports, and the example hidden suite: students never get hidden checks."""


def build_release(out: Path, kit: Path = GRADER_ROOT) -> Path:
    """Write the student release into ``out`` (which must not exist yet)."""
    if out.exists():
        raise FileExistsError(f"{out} exists already: choose a new folder")
    shutil.copytree(kit / "exercises", out / "exercises", ignore=LEFT_OUT)
    shutil.copytree(kit / "grader", out / "grader", ignore=LEFT_OUT)
    project = (kit / "pyproject.toml").read_text(encoding="utf-8")
    (out / "pyproject.toml").write_text(
        project.replace('testpaths = ["tests"]', 'testpaths = ["exercises"]'), encoding="utf-8"
    )
    shutil.copyfile(TEMPLATES / "student_README.md", out / "README.md")
    classroom_workflow(out / ".github" / "workflows" / "classroom.yml")
    (out / ".gitignore").write_text(STUDENT_GITIGNORE, encoding="utf-8")
    return out
