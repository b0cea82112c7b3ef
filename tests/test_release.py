"""The student release installs in a fresh virtual environment and grades there: the stubs
score 0 with readable messages, the reference solutions copied in score full marks."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kit import SOLUTIONS

from grader.catalog import exercises
from grader.commands.release import build_release


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
