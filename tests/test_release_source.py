"""grader release gives students what was committed: built from ``git show HEAD:<path>``,
refusing a working copy whose exercises differ unless told to take them as they are."""

import functools
import shutil
import subprocess
from pathlib import Path

import pytest

from grader.commands import release
from grader.commands.cli import main

ROOT = Path(__file__).resolve().parent.parent
STUB = "ex01_activations/activations.py"


def _git(kit: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(kit), "-c", "user.name=kit", "-c", "user.email=kit@example.org", *args],
        check=True,
        capture_output=True,
    )


@pytest.fixture
def kit(tmp_path: Path) -> Path:
    """A copy of the kit's exercises, grader and pyproject.toml, committed in a new repository."""
    kit = tmp_path / "kit"
    shutil.copytree(ROOT / "exercises", kit / "exercises", ignore=release.LEFT_OUT)
    shutil.copytree(ROOT / "grader", kit / "grader", ignore=release.LEFT_OUT)
    shutil.copyfile(ROOT / "pyproject.toml", kit / "pyproject.toml")
    shutil.copyfile(ROOT / ".gitignore", kit / ".gitignore")
    _git(kit, "init", "-q")
    _git(kit, "add", "-A")
    _git(kit, "commit", "-q", "-m", "the course")
    return kit


def test_a_clean_checkout_is_released_from_its_commit(kit: Path, tmp_path: Path) -> None:
    (kit / "exercises" / "ex01_activations" / "__pycache__").mkdir()
    (kit / "exercises" / "ex01_activations" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    taken = release.exercise_files(kit)
    assert taken.note.startswith("exercises/ is taken from commit ")
    committed = (kit / "exercises" / STUB).read_bytes()
    assert taken.files[STUB] == committed
    assert not any("__pycache__" in name for name in taken.files)
    out = release.build_release(tmp_path / "student", kit, taken=taken)
    assert (out / "exercises" / STUB).read_bytes() == committed


def test_an_edited_stub_is_refused_with_its_name(kit: Path, tmp_path: Path) -> None:
    stub = kit / "exercises" / STUB
    stub.write_text(stub.read_text() + "\n# the instructor's answer, half written\n")
    (kit / "exercises" / "ex02_losses" / "notes.md").write_text("draft\n")
    (kit / "exercises" / "ex03_optimizers" / "README.md").unlink()
    with pytest.raises(release.ReleaseError) as refused:
        release.exercise_files(kit)
    message = str(refused.value)
    assert f"exercises/{STUB} (modified)" in message
    assert "exercises/ex02_losses/notes.md (not committed)" in message
    assert "exercises/ex03_optimizers/README.md (deleted)" in message
    assert release.FROM_WORKING_COPY in message
    with pytest.raises(release.ReleaseError):
        release.build_release(tmp_path / "student", kit)
    assert not (tmp_path / "student").exists()


def test_from_working_copy_takes_the_files_as_they_are(kit: Path, tmp_path: Path) -> None:
    stub = kit / "exercises" / STUB
    stub.write_text(stub.read_text() + "\n# edited\n")
    taken = release.exercise_files(kit, from_working_copy=True)
    assert taken.files[STUB] == stub.read_bytes()
    assert "working copy (1 of them not as committed)" in taken.note


def test_a_staged_but_uncommitted_stub_is_refused(kit: Path) -> None:
    stub = kit / "exercises" / STUB
    stub.write_text(stub.read_text() + "\n# staged\n")
    _git(kit, "add", str(stub))
    with pytest.raises(release.ReleaseError, match=f"exercises/{STUB} \\(modified\\)"):
        release.exercise_files(kit)


def test_outside_a_checkout_the_files_are_used_with_a_note(kit: Path, tmp_path: Path) -> None:
    shutil.rmtree(kit / ".git")
    taken = release.exercise_files(kit)
    assert "is not a git checkout" in taken.note
    assert taken.files[STUB] == (kit / "exercises" / STUB).read_bytes()


def test_the_command_refuses_then_builds_with_the_override(
    kit: Path, tmp_path: Path, monkeypatch, capsys
) -> None:
    monkeypatch.setattr(release, "exercise_files", functools.partial(release.exercise_files, kit))
    stub = kit / "exercises" / STUB
    stub.write_text(stub.read_text() + "\n# edited\n")
    assert main(["release", str(tmp_path / "student")]) == 2
    assert f"exercises/{STUB} (modified)" in capsys.readouterr().err
    assert main(["release", str(tmp_path / "student"), release.FROM_WORKING_COPY]) == 0
    said = capsys.readouterr().out
    assert "taken from the working copy" in said and "wrote the student release" in said


def test_a_checkout_that_never_committed_its_exercises_is_refused(kit: Path) -> None:
    (kit / ".gitignore").write_text("exercises/\n")
    _git(kit, "rm", "-r", "-q", "--cached", "exercises")
    _git(kit, "commit", "-q", "-am", "exercises kept out")
    with pytest.raises(release.ReleaseError, match="holds no exercises/"):
        release.exercise_files(kit)


def test_a_kit_without_exercises_is_refused(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="is not a folder"):
        release.exercise_files(tmp_path)
