"""``grader release OUT``: what an instructor hands to students.

The exercises (stubs and READMEs), the grader with its visible checks, a student README, and
the GitHub Classroom workflow; no ``solutions/``, no kit tests, no hidden checks.

With ``--wheel``, the grader alone as a wheel (``OUT/dl_grader_kit-VERSION-py3-none-any.whl``):
the same ``grader/`` package (visible checks, points, recorded tf.keras values, messages), no
exercises, no solutions, no hidden checks. It is what a student repository's workflow installs
from a URL the instructor publishes (``grader export actions --kit-url URL``). Without
``solutions/`` beside it the grader compares with the recorded values only, as a student's
own run does; every visible check grades that way.

With ``--format notebook`` or ``both``, each exercise also comes as a notebook,
``exercises/<name>/<name>.ipynb``, generated from its stub with jupytext (never a second copy
to keep in step): a cell that installs the kit where it is missing, the README as markdown, a
code cell for the stub's imports and one per function or class (docstring and
``raise NotImplementedError`` included), and a last cell ``grader.check("<name>")``.
"""

import ast
import importlib.metadata
import itertools
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from pathlib import Path

from grader import GRADER_ROOT
from grader.catalog import Exercise, exercises
from grader.commands.export import TEMPLATES, classroom_workflow
from grader.words import say_in

STUDENT_GITIGNORE = "__pycache__/\n*.egg-info/\n.venv/\n.grader/\nscore-report.json\n"
"""What a student's checks and hints leave behind, kept out of their commits."""
LEFT_OUT = shutil.ignore_patterns(
    "__pycache__", "*.pyc", "score-report.json", ".grader", "hidden_example"
)
"""Caches and reports, and the example hidden suite: students never get hidden checks."""


WHEEL_LEFT_OUT = ("solutions/", "exercises/", "tests/", "grader/hidden_example/")
"""What a grader-only wheel must never hold: ``build_wheel`` refuses a wheel with any of it."""


class WheelError(RuntimeError):
    """The grader-only wheel could not be built, with why."""


FORMATS = ("py", "notebook", "both")
DEFAULT_INSTALL = "dl-grader-kit"
"""What a notebook's first cell gives ``pip install`` where the kit is missing (a package name,
a ``git+https://...`` URL or a wheel's URL): ``grader release --install-from``."""
INSTALL_TAG, CHECK_TAG = "grader-install", "grader-check"
"""The tags of a generated notebook's first and last cells: all the others are the stub's."""


def build_release(
    out: Path,
    kit: Path = GRADER_ROOT,
    *,
    form: str = "py",
    lang: str = "en",
    install_from: str = DEFAULT_INSTALL,
) -> Path:
    """Write the student release into ``out`` (which must not exist yet): the exercises as
    ``.py`` stubs, as notebooks, or ``both`` (``form``); notebooks in ``lang``."""
    if out.exists():
        raise FileExistsError(f"{out} exists already: choose a new folder")
    if form not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {form!r}")
    import jupytext  # only here: half a second to import, and a judge never needs it

    shutil.copytree(kit / "exercises", out / "exercises", ignore=LEFT_OUT)
    for exercise in exercises():
        folder = out / "exercises" / exercise.name
        if form != "py":
            notebook = exercise_notebook(exercise, kit / "exercises", lang, install_from)
            jupytext.write(notebook, folder / f"{exercise.name}.ipynb", fmt="ipynb")
        if form == "notebook":
            (folder / exercise.filename).unlink()
    shutil.copytree(kit / "grader", out / "grader", ignore=LEFT_OUT)
    project = (kit / "pyproject.toml").read_text(encoding="utf-8")
    (out / "pyproject.toml").write_text(
        project.replace('testpaths = ["tests"]', 'testpaths = ["exercises"]'), encoding="utf-8"
    )
    shutil.copyfile(TEMPLATES / "student_README.md", out / "README.md")
    classroom_workflow(out / ".github" / "workflows" / "classroom.yml")
    (out / ".gitignore").write_text(STUDENT_GITIGNORE, encoding="utf-8")
    return out


def _installed(requirement: str) -> bool:
    from packaging.requirements import Requirement  # a tenth of a second: only here

    wanted = Requirement(requirement)
    try:
        return wanted.specifier.contains(importlib.metadata.version(wanted.name))
    except importlib.metadata.PackageNotFoundError:
        return False


def build_wheel(out: Path, kit: Path = GRADER_ROOT) -> Path:
    """Build the grader-only wheel into the folder ``out``; its path.

    pip builds it from a staged copy of ``grader/`` (without the example hidden suite and
    caches, as ``build_release`` copies it), ``pyproject.toml`` and the student README: with
    this environment's build backend when it meets ``build-system.requires`` (no download),
    else in pip's isolated build environment. ``WheelError`` when pip fails or the wheel holds
    anything of ``WHEEL_LEFT_OUT``."""
    project = kit / "pyproject.toml"
    if not project.is_file():
        raise WheelError(f"{kit} is not a checkout of the kit (no pyproject.toml): build from one")
    requires = tomllib.loads(project.read_text(encoding="utf-8"))["build-system"]["requires"]
    with tempfile.TemporaryDirectory(prefix="grader-wheel-") as tmp:
        staged, dist = Path(tmp) / "kit", Path(tmp) / "dist"
        shutil.copytree(kit / "grader", staged / "grader", ignore=LEFT_OUT)
        shutil.copyfile(project, staged / "pyproject.toml")
        shutil.copyfile(TEMPLATES / "student_README.md", staged / "README.md")
        command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet"]
        if all(_installed(r) for r in requires):
            command.append("--no-build-isolation")
        command += ["--wheel-dir", str(dist), str(staged)]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wheels = sorted(dist.glob("*.whl")) if dist.is_dir() else []
        if done.returncode != 0 or len(wheels) != 1:
            raise WheelError(f"pip wheel ended with {done.returncode}: {done.stderr[-3000:]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            leaked = [n for n in wheel.namelist() if n.startswith(WHEEL_LEFT_OUT)]
        if leaked:
            raise WheelError(f"the wheel holds what students must not get: {leaked[:5]}")
        out.mkdir(parents=True, exist_ok=True)
        return Path(shutil.move(wheels[0], out / wheels[0].name))


def stub_cells(source: str) -> list[str]:
    """The stub's text cut into cells: what comes before the first function or class (the
    module docstring, imports, constants), then each function or class with its docstring."""
    lines = source.splitlines()
    starts = [
        min([node.lineno, *(d.lineno for d in node.decorator_list)]) - 1
        for node in ast.parse(source).body
        if isinstance(node, ast.FunctionDef | ast.ClassDef)
    ]
    bounds = [0, *starts, len(lines)]
    cells = ["\n".join(lines[a:b]).strip("\n") for a, b in itertools.pairwise(bounds)]
    return [cell for cell in cells if cell.strip()]


def exercise_notebook(
    exercise: Exercise, folder: Path, lang: str = "en", install_from: str = DEFAULT_INSTALL
):
    """The exercise's notebook (an nbformat notebook), from its stub and README in ``folder``
    (``exercises/``)."""
    readme = folder / exercise.name / ("README.md" if lang == "en" else f"README.{lang}.md")
    stub = (folder / exercise.relative_path).read_text(encoding="utf-8")
    parts = [
        _markdown(readme.read_text(encoding="utf-8")),
        _markdown(say_in(lang, "notebook.release_intro", exercise=exercise.name)),
        f'# %% tags=["{INSTALL_TAG}"]\n' + _install_cell(lang, install_from),
        *(f"# %%\n{cell}" for cell in stub_cells(stub)),
        f'# %% tags=["{CHECK_TAG}"]\nimport grader\n\ngrader.check("{exercise.name}")',
    ]
    import jupytext

    notebook = jupytext.reads("\n\n".join(parts) + "\n", fmt="py:percent")
    notebook.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"},
        "language_info": {"name": "python"},
    }
    return notebook


def _markdown(text: str) -> str:
    body = "\n".join(f"# {line}" if line else "#" for line in text.strip().splitlines())
    return f"# %% [markdown]\n{body}"


def _install_cell(lang: str, install_from: str) -> str:
    comment = "\n".join(f"# {line}" for line in say_in(lang, "notebook.install").splitlines())
    return (
        f"{comment}\n"
        "import importlib.util\n"
        "import subprocess\n"
        "import sys\n"
        "\n"
        'if importlib.util.find_spec("grader") is None:\n'
        f'    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "{install_from}"],'
        " check=True)\n"
        "    importlib.invalidate_caches()"
    )
