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

In a git checkout, the exercises come from the last commit (``git show HEAD:<path>``), so an
instructor's edits in progress never reach students: a working copy whose ``exercises/`` differs
from that commit is refused, with the files named, unless ``--from-working-copy`` is given.
Outside a git checkout the files are taken as they are, and the command says so.
"""

import ast
import fnmatch
import importlib.metadata
import itertools
import shutil
import subprocess
import sys
import tempfile
import tomllib
import zipfile
from dataclasses import dataclass
from pathlib import Path

from grader import GRADER_ROOT
from grader.catalog import Exercise, exercises
from grader.commands.export import TEMPLATES, classroom_workflow
from grader.words import say_in

STUDENT_GITIGNORE = "__pycache__/\n*.egg-info/\n.venv/\n.grader/\nscore-report.json\n"
"""What a student's checks and hints leave behind, kept out of their commits."""
LEFT_OUT_NAMES = ("__pycache__", "*.pyc", "score-report.json", ".grader", "hidden_example")
"""Caches and reports, and the example hidden suite: students never get hidden checks."""
LEFT_OUT = shutil.ignore_patterns(*LEFT_OUT_NAMES)
FROM_WORKING_COPY = "--from-working-copy"


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


class ReleaseError(Exception):
    """A release that would not give students what was committed, with the files named."""


@dataclass(frozen=True)
class ExerciseFiles:
    """The files of ``exercises/`` a release is made of, and where they were read."""

    files: dict[str, bytes]
    """Content by path under ``exercises/``, e.g. ``ex01_activations/activations.py``."""
    note: str
    """Where they come from: a commit, or the working copy and why."""


def _git(kit: Path, *args: str) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(["git", "-C", str(kit), *args], capture_output=True, check=False)


def _left_out(path: str) -> bool:
    return any(fnmatch.fnmatch(part, p) for part in path.split("/") for p in LEFT_OUT_NAMES)


def _working_copy(kit: Path) -> dict[str, bytes]:
    folder = kit / "exercises"
    if not folder.is_dir():
        raise FileNotFoundError(f"{folder} is not a folder: release from a checkout of the kit")
    found = (p for p in sorted(folder.rglob("*")) if p.is_file())
    files = {p.relative_to(folder).as_posix(): p for p in found}
    return {name: path.read_bytes() for name, path in files.items() if not _left_out(name)}


def _uncommitted(kit: Path) -> list[str]:
    """Each file under ``exercises/`` that differs from HEAD, with how (``git status``)."""
    status = _git(kit, "status", "--porcelain=v1", "-z", "--untracked-files=all", "--", "exercises")
    entries = status.stdout.decode("utf-8", "replace").split("\0")
    found, skip = [], False
    for entry in entries:
        if skip or len(entry) < 4:
            skip = False
            continue
        code, path = entry[:2], entry[3:]
        skip = "R" in code or "C" in code  # a rename's or copy's source follows: the same file
        how = (
            "not committed" if code == "??"
            else "deleted" if "D" in code
            else "added but not committed" if "A" in code
            else "renamed" if skip
            else "modified"
        )  # fmt: skip
        if not _left_out(path):
            found.append(f"{path} ({how})")
    return found


def exercise_files(kit: Path = GRADER_ROOT, *, from_working_copy: bool = False) -> ExerciseFiles:
    """The files of ``kit/exercises`` as of the last commit (``git show HEAD:<path>``).

    ``ReleaseError`` when the working copy's differ from it (modified, deleted or not
    committed), naming each, unless ``from_working_copy``: then the files as they are. Outside a
    git checkout (or without git), the files as they are, with a note that says so."""
    try:
        inside = _git(kit, "rev-parse", "--is-inside-work-tree")
    except FileNotFoundError:
        return ExerciseFiles(
            _working_copy(kit), "git is not installed: exercises/ is taken as it is on disk"
        )
    if inside.returncode != 0 and b"not a git repository" not in inside.stderr:
        # e.g. git's "dubious ownership": a checkout, which git refuses to read
        raise ReleaseError(f"git cannot read {kit}: {inside.stderr.decode().strip()}")
    if inside.returncode != 0 or inside.stdout.strip() != b"true":
        return ExerciseFiles(
            _working_copy(kit),
            f"{kit} is not a git checkout: exercises/ is taken as it is on disk, "
            "with no commit to compare it with",
        )
    head = _git(kit, "rev-parse", "--short", "HEAD")
    commit = head.stdout.decode().strip() if head.returncode == 0 else ""
    changed = _uncommitted(kit) if commit else ["every file (the repository has no commit yet)"]
    if from_working_copy:
        how = f"{len(changed)} of them not as committed" if changed else "all as committed"
        return ExerciseFiles(
            _working_copy(kit), f"exercises/ is taken from the working copy ({how})"
        )
    if changed:
        raise ReleaseError(
            "the exercises differ from the last commit (HEAD), so students would get files "
            "that were never committed:\n  "
            + "\n  ".join(changed)
            + "\ncommit them (or undo the changes) to release what was committed, or give "
            f"{FROM_WORKING_COPY} to release the files as they are"
        )
    listed = _git(kit, "ls-tree", "-r", "-z", "--name-only", "HEAD", "--", "exercises")
    names = [n for n in listed.stdout.decode("utf-8").split("\0") if n]
    files = {}
    for name in names:
        shown = _git(kit, "show", f"HEAD:./{name}")
        relative = name.removeprefix("exercises/")
        if shown.returncode == 0 and not _left_out(relative):
            files[relative] = shown.stdout
    if not files:
        raise ReleaseError(f"commit {commit} holds no exercises/ to release")
    return ExerciseFiles(files, f"exercises/ is taken from commit {commit}")


def build_release(
    out: Path,
    kit: Path = GRADER_ROOT,
    *,
    form: str = "py",
    lang: str = "en",
    install_from: str = DEFAULT_INSTALL,
    taken: ExerciseFiles | None = None,
) -> Path:
    """Write the student release into ``out`` (which must not exist yet): the exercises as
    ``.py`` stubs, as notebooks, or ``both`` (``form``); notebooks in ``lang``. The exercises
    are ``taken`` (default: ``exercise_files(kit)``, the last commit's)."""
    if out.exists():
        raise FileExistsError(f"{out} exists already: choose a new folder")
    if form not in FORMATS:
        raise ValueError(f"--format must be one of {', '.join(FORMATS)}, not {form!r}")
    import jupytext  # only here: half a second to import, and a judge never needs it

    taken = taken or exercise_files(kit)
    for name, content in taken.files.items():
        path = out / "exercises" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    for exercise in exercises():
        folder = out / "exercises" / exercise.name
        if form != "py":
            notebook = exercise_notebook(exercise, out / "exercises", lang, install_from)
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


def without_run_directly(source: str) -> str:
    """A stub's text without its ``if __name__ == "__main__":`` block
    (``grader.catalog.run_directly_block``): a notebook's kernel runs as ``__main__``."""
    lines = source.splitlines()
    for node in ast.parse(source).body:
        if isinstance(node, ast.If) and ast.unparse(node.test) == "__name__ == '__main__'":
            lines[node.lineno - 1 : node.end_lineno] = [""] * (node.end_lineno - node.lineno + 1)
    return "\n".join(lines).rstrip("\n") + "\n"


def stub_cells(source: str) -> list[str]:
    """The stub's text cut into cells: what comes before the first function or class (the
    module docstring, imports, constants), then each function or class with its docstring;
    not the block that says how to check the module when it is run as a script."""
    source = without_run_directly(source)
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
