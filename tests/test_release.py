"""The student release installs in a fresh virtual environment and grades there: the stubs
score 0 with readable messages, the reference solutions copied in score full marks."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import jupytext
import pytest
from kit import SOLUTIONS

from grader.catalog import RUN_DIRECTLY, exercises
from grader.commands.release import build_release, without_run_directly
from grader.commands.submission_files import read_submission


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("release")
    release = build_release(root / "student")
    venv = root / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts" if sys.platform == "win32" else "bin") / "python"
    done = subprocess.run(
        [str(python), "-m", "pip", "install", "--quiet", str(release)],
        capture_output=True,
        text=True,
        timeout=1800,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return release, python


def test_release_holds_no_solutions_and_no_kit_tests(tmp_path: Path) -> None:
    release = build_release(tmp_path / "student")
    assert not (release / "solutions").exists() and not (release / "tests").exists()
    for exercise in exercises():
        stub = (release / "exercises" / exercise.relative_path).read_text()
        assert "raise NotImplementedError" in stub
    assert (release / ".github" / "workflows" / "classroom.yml").is_file()
    with pytest.raises(FileExistsError):
        build_release(release)


def _pytest(python: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(python), "-m", "pytest", "exercises", "-p", "no:cacheprovider"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )


def test_stubs_score_zero_in_the_release(installed: tuple[Path, Path]) -> None:
    release, python = installed
    done = _pytest(python, release)
    assert done.returncode == 1
    assert "0 / 100" in done.stdout and "not attempted yet" in done.stdout
    assert "Traceback" not in done.stdout


def test_reference_solutions_score_full_marks_in_the_release(
    installed: tuple[Path, Path], tmp_path: Path
) -> None:
    release, python = installed
    copy = Path(shutil.copytree(release, tmp_path / "solved"))
    shutil.rmtree(copy / "exercises")
    shutil.copytree(SOLUTIONS, copy / "exercises")
    done = _pytest(python, copy)
    assert done.returncode == 0, done.stdout[-3000:]
    assert "100 / 100" in done.stdout


@pytest.mark.parametrize("lang", ["en", "ko"])
def test_each_exercise_comes_as_a_notebook_made_from_its_stub(tmp_path: Path, lang: str) -> None:
    release = build_release(
        tmp_path / "student", form="both", lang=lang, install_from="git+https://example.org/kit"
    )
    for exercise in exercises():
        folder = release / "exercises" / exercise.name
        stub = (folder / exercise.filename).read_text(encoding="utf-8")
        notebook = jupytext.read(folder / f"{exercise.name}.ipynb")
        code = [c for c in notebook.cells if c.cell_type == "code"]
        install, *stub_cells, check = code
        assert install.metadata["tags"] == ["grader-install"]
        assert "git+https://example.org/kit" in install.source
        assert check.source.endswith(f'grader.check("{exercise.name}")')
        # Back to a module: the stub, docstrings and all.
        module = "\n\n\n".join(c.source for c in stub_cells)
        assert ast.dump(ast.parse(module)) == ast.dump(ast.parse(without_run_directly(stub)))
        assert RUN_DIRECTLY in stub and RUN_DIRECTLY not in module
        by_name = {
            node.name: (cell, node)
            for cell in stub_cells
            for node in ast.parse(cell.source).body
            if isinstance(node, ast.FunctionDef | ast.ClassDef)
        }
        assert list(by_name) == list(exercise.defines)  # one cell each, in the stub's order
        stub_tree = {n.name: n for n in ast.parse(stub).body if hasattr(n, "name")}
        for name, (cell, node) in by_name.items():
            assert len(ast.parse(cell.source).body) == 1
            assert ast.get_docstring(node) == ast.get_docstring(stub_tree[name])
            assert "raise NotImplementedError" in cell.source
        readme = "README.md" if lang == "en" else "README.ko.md"
        title = (folder / readme).read_text(encoding="utf-8").splitlines()[0]
        assert notebook.cells[0].cell_type == "markdown" and title in notebook.cells[0].source


def test_a_generated_notebook_is_graded_as_its_stub(tmp_path: Path) -> None:
    release = build_release(tmp_path / "student", form="notebook")
    modules = {p.name for p in (release / "exercises").rglob("*.py")}
    assert modules == {"conftest.py"}  # no stub: only what stops a pytest without the grader
    taken = read_submission(release, list(exercises()))
    assert taken.unavailable == {}
    for exercise in exercises():
        source = taken.sources[exercise.name]
        assert (source.kind, source.file) == (
            "notebook",
            f"exercises/{exercise.name}/{exercise.name}.ipynb",
        )
        module = ast.parse(taken.files[exercise.relative_path])
        defined = [n.name for n in module.body if isinstance(n, ast.FunctionDef | ast.ClassDef)]
        assert defined == list(exercise.defines)
        assert "grader.check" not in taken.files[exercise.relative_path].decode()
        assert "pip" not in taken.files[exercise.relative_path].decode()
