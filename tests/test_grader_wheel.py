"""The grader-only wheel (``grader release OUT --wheel``): what a student repository's workflow
installs. It holds the grader with its visible checks and recorded values, and nothing of the
solutions, the exercises or the hidden checks; installed in a fresh virtual environment it
grades the reference solutions to full marks with the recorded values alone, and a student's
own copy of ``grader/`` in the folder graded from takes no part."""

import hashlib
import json
import shutil
import site
import subprocess
import sys
import zipfile
from pathlib import Path, PurePosixPath

import pytest
from kit import ROOT, SOLUTIONS

from grader.catalog import exercises
from grader.commands import cli
from grader.commands.release import WheelError, build_wheel

HIDDEN_EXAMPLE = ROOT / "grader" / "hidden_example"


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_wheel(tmp_path_factory.mktemp("wheel"))


def _digests(folder: Path) -> dict[str, Path]:
    return {
        hashlib.sha256(p.read_bytes()).hexdigest(): p
        for p in folder.rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    }


def test_the_wheel_holds_the_visible_grader_and_no_solution(wheel: Path) -> None:
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
        contents = {name: archive.read(name) for name in names}
    assert wheel.name == "dl_grader_kit-0.1.0-py3-none-any.whl"
    tops = {PurePosixPath(n).parts[0] for n in names}
    assert tops == {"grader", "dl_grader_kit-0.1.0.dist-info"}  # no solutions/, exercises/, tests/
    assert not [n for n in names if "hidden_example" in n]
    modules = {e.filename for e in exercises()}  # activations.py, losses.py, ...
    assert not [n for n in names if PurePosixPath(n).name in modules]
    # No file of the solutions or of the example hidden suite, under any name.
    secret = _digests(SOLUTIONS) | _digests(HIDDEN_EXAMPLE)
    copied = [
        (name, secret[digest])
        for name, data in contents.items()
        if (digest := hashlib.sha256(data).hexdigest()) in secret and data.strip()
    ]
    assert not copied, f"the wheel holds copies of {copied}"
    # What the visible checks need: every check module, the points, the recorded values.
    for exercise in exercises():
        assert f"grader/checks/{exercise.name}.py" in names
    assert "grader/exercises.toml" in names and "grader/schema/score-report.schema.json" in names
    golden = {
        e.name for e in exercises() if (ROOT / "grader" / "golden" / f"{e.name}.npz").exists()
    }
    assert golden and all(f"grader/golden/{name}.npz" in names for name in golden)
    entry_points = contents["dl_grader_kit-0.1.0.dist-info/entry_points.txt"].decode()
    assert "grader = grader.commands.cli:main" in entry_points
    assert "grader = grader.judge.plugin" in entry_points  # the pytest plugin


def test_the_command_writes_the_wheel(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert cli.main(["release", str(tmp_path / "dist"), "--wheel"]) == 0
    built = sorted((tmp_path / "dist").glob("*.whl"))
    assert [p.name for p in built] == ["dl_grader_kit-0.1.0-py3-none-any.whl"]
    assert str(built[0]) in capsys.readouterr().out
    with pytest.raises(WheelError, match="not a checkout of the kit"):
        build_wheel(tmp_path / "dist", kit=tmp_path)


def test_the_installed_wheel_grades_the_solutions_to_full_marks(
    wheel: Path, tmp_path: Path
) -> None:
    """Installed with --no-deps into a fresh environment that borrows this one's packages
    (NumPy, TensorFlow) through a .pth file; graded by its ``grader grade`` from a student
    repository's folder whose own grader/ would stop any run that imported it. The NumPy
    exercises, one Keras model (ex05) and the saved files the grader's own process opens
    (ex08): ex06 and ex07 train for two minutes more, and tests/test_release.py grades every
    exercise from an installed package."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    bin_dir = venv / ("Scripts" if sys.platform == "win32" else "bin")
    python = bin_dir / "python"
    install = [sys.executable, "-m", "pip", "--python", str(python), "install", "--no-deps"]
    subprocess.run([*install, "--quiet", str(wheel)], check=True, timeout=300)
    own = Path(
        subprocess.run(
            [str(python), "-c", "import site; print(site.getsitepackages()[0])"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    )
    (own / "borrowed.pth").write_text("\n".join(site.getsitepackages()) + "\n")
    repo = tmp_path / "student-repo"
    shutil.copytree(SOLUTIONS, repo / "exercises")
    (repo / "grader").mkdir()
    (repo / "grader" / "__init__.py").write_text("raise SystemExit('the student copy ran')\n")
    graded = [
        e.name for e in exercises() if e.name not in ("ex06_train_validate", "ex07_regularize")
    ]
    done = subprocess.run(
        [
            str(bin_dir / "grader"),
            "grade",
            "exercises",
            "--json",
            "report.json",
            "--quiet",
            "--only",
            ",".join(graded),
        ],
        cwd=repo,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    report = json.loads((repo / "report.json").read_text())
    failing = [t["name"] for t in report["tests"] if t["status"] != "passed"]
    assert [e["name"] for e in report["exercises"]] == graded
    assert (report["score"], failing) == (report["max_score"], [])
    assert report["max_score"] == sum(e.max_score for e in exercises() if e.name in graded)
    assert report["reference"] is None  # the recorded values alone: no solutions/ beside it
