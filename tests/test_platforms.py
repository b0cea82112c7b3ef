"""Exports to platforms, each derived from the score report, and the Gradescope run itself
in a simulated /autograder folder."""

import csv
import io
import json
import os
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import replace
from pathlib import Path

import pytest
from fixture_reports import mixed_report
from format_totals import READERS, fractional, problems
from kit import SOLUTIONS, grade, typed

from grader import GRADER_ROOT
from grader.catalog import exercises
from grader.commands import export as platforms
from grader.isolation.layers import landlock_abi
from grader.isolation.sandbox import POLICY_VARIABLE
from grader.judge.hidden import load_hidden_suite
from grader.results import formats as exports
from grader.results.model import SubmissionRecord


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("mixed") / "submission"
    shutil.copytree(SOLUTIONS, folder)
    path = folder / "ex02_losses" / "losses.py"
    path.write_text(
        path.read_text() + "\n\ndef mean_squared_error(y_true, y_pred):\n"
        "    return np.mean((y_true - y_pred) ** 2)\n"
    )
    return grade(folder, None, "--only=ex01_activations,ex02_losses")


HIDDEN_EXAMPLE = GRADER_ROOT / "grader" / "hidden_example"
BLOCKED = Path(__file__).resolve().parent / "blocked_userns.py"


def test_gradescope_results_follow_the_specification(report: dict) -> None:
    results = exports.gradescope_results(typed(report), hidden={"ex01_activations/relu"})
    assert set(results) == {"score", "execution_time", "output", "output_format", "tests"}
    assert results["output_format"] == "text"  # one of the documented formats
    assert results["score"] == report["score"] == sum(t["score"] for t in results["tests"])
    for test in results["tests"]:
        assert set(test) == {"name", "score", "max_score", "status", "output", "visibility"}
        assert test["status"] in ("passed", "failed")
        assert test["visibility"] in ("visible", "after_due_date")
    relu = next(t for t in results["tests"] if t["name"] == "ex01_activations/relu")
    assert relu["visibility"] == "after_due_date"


def test_a_total_of_seven_digits_keeps_them_in_every_format(tmp_path: Path) -> None:
    """100.5625 points (a check worth 100.0625 and one of 0.5 passed): seven significant
    digits, one more than ``:g`` writes (it wrote the table's total as 100.562)."""
    base = fractional(mixed_report(), "alice")
    exercise = base.exercises[0]
    checks = tuple(
        replace(c, max_score=100.0625) if c.name == "relu" else c for c in exercise.checks
    )
    wide = replace(exercise, checks=checks, max_score=sum(c.max_score for c in checks))
    report = replace(base, exercises=(wide, *base.exercises[1:]))
    assert report.score == 100.5625
    for fmt, read in READERS.items():
        folder = tmp_path / fmt.replace(" ", "-")
        folder.mkdir()
        assert not problems(read([("alice", report)], folder)), fmt


def test_classroom_payload_agrees_with_the_report(report: dict) -> None:
    payload = exports.classroom_payload(typed(report))
    assert payload["version"] == 1 and payload["max_score"] == report["max_score"]
    assert payload["status"] == "fail"
    assert sum(t["score"] for t in payload["tests"]) == report["score"]
    for test in payload["tests"]:
        assert {"name", "status", "score", "message"} <= set(test)
        assert test["status"] in ("pass", "fail", "error")
    mse = next(t for t in payload["tests"] if t["name"] == "ex02_losses/mean_squared_error")
    assert mse["status"] == "fail" and "averaged over the whole batch" in mse["message"]


def test_junit_and_csv(report: dict) -> None:
    root = ET.fromstring(exports.junit_xml(typed(report)))
    cases = root.findall(".//testcase")
    assert len(cases) == len(report["tests"])
    assert len(root.findall(".//failure")) == 1
    rows = list(
        csv.DictReader(
            io.StringIO(exports.gradebook_csv([exports.gradebook_row(typed(report), "student-7")]))
        )
    )
    assert rows[0]["id"] == "student-7"
    assert float(rows[0]["total"]) == report["score"]
    assert float(rows[0]["ex02_losses"]) == report["exercises"][1]["score"]


def test_grader_report_command_writes_each_format(report: dict, tmp_path: Path) -> None:
    source = tmp_path / "report.json"
    source.write_text(json.dumps(report))
    for fmt in exports.FORMATS:
        out = tmp_path / f"out.{fmt}"
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "grader",
                "report",
                str(source),
                "--format",
                fmt,
                "--out",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        assert out.read_text().strip()


def test_the_gradebook_status_is_the_reports_own(report: dict, tmp_path: Path) -> None:
    graded_with = {"grader": "0.1.0", "hidden_tests": None, "options": {}}
    record = SubmissionRecord("kim", "kim", "folder", "timeout", "stopped", (), graded_with)
    timed_out = replace(typed(report), submission=record)
    assert exports.gradebook_row(timed_out, "kim")["status"] == "timeout"
    assert exports.gradebook_row(typed(report), "kim")["status"] == "graded"
    stopped = replace(typed(report), incomplete="deadline")
    assert exports.gradebook_row(stopped, "kim")["status"] == "timeout"
    source = tmp_path / "kim.json"
    source.write_text(json.dumps(timed_out.to_dict()))
    done = subprocess.run(
        [sys.executable, "-m", "grader", "report", str(source), "--format", "csv"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert next(csv.DictReader(io.StringIO(done.stdout)))["status"] == "timeout"


def test_gradescope_autograder_runs_in_a_simulated_autograder_folder(tmp_path: Path) -> None:
    archive = platforms.gradescope_zip(tmp_path / "autograder.zip")
    root = tmp_path / "autograder"
    platforms.unpack(archive, root / "source")
    assert (root / "source" / "setup.sh").is_file()
    assert (root / "source" / "kit" / "grader" / "judge" / "plugin.py").is_file()
    assert not list((root / "source").rglob("solutions"))
    submission = root / "submission"
    submission.mkdir()
    for exercise in exercises():  # as Gradescope stores an upload of single files
        shutil.copyfile(SOLUTIONS / exercise.relative_path, submission / exercise.filename)
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        ["bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    assert results["score"] == sum(e.max_score for e in exercises()) == 100
    assert len(results["tests"]) == sum(len(e.points) for e in exercises())
    assert all(t["status"] == "passed" for t in results["tests"])


def test_gradescope_always_writes_results(tmp_path: Path, monkeypatch) -> None:
    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(platforms, "grade", broken)
    platforms.autograde_gradescope(tmp_path)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["score"] == 0 and "disk full" in results["output"]


def test_classroom_workflow_template(tmp_path: Path) -> None:
    path = platforms.classroom_workflow(tmp_path / ".github" / "workflows" / "classroom.yml")
    text = path.read_text()
    assert "autograding-grading-reporter" in text and "--format classroom" in text


def _export_gradescope(archive: Path, hidden_tests: Path) -> subprocess.CompletedProcess[str]:
    command = ["export", "gradescope", "--out", str(archive), "--hidden-tests", str(hidden_tests)]
    return subprocess.run(
        [sys.executable, "-m", "grader", *command], capture_output=True, text=True, check=False
    )


def test_gradescope_zip_with_hidden_checks(tmp_path: Path) -> None:
    """`grader export gradescope --hidden-tests`: the suite and the reference solutions ride in
    the zip; autograding runs them and shows them after the due date."""
    archive = tmp_path / "autograder.zip"
    done = _export_gradescope(archive, HIDDEN_EXAMPLE)
    assert done.returncode == 0, done.stderr
    root = tmp_path / "autograder"
    platforms.unpack(archive, root / "source")
    assert (root / "source" / "hidden" / "points.toml").is_file()
    assert (root / "source" / "reference" / "ex01_activations" / "activations.py").is_file()
    submission = root / "submission"
    submission.mkdir()
    for chosen in exercises()[:3]:  # the exercises the example suite covers: ex01 to ex03
        shutil.copyfile(SOLUTIONS / chosen.relative_path, submission / chosen.filename)
    platforms.autograde_gradescope(root)
    results = json.loads((root / "results" / "results.json").read_text())
    hidden = [t for t in results["tests"] if t.get("visibility") == "after_due_date"]
    assert hidden and all(t["score"] == t["max_score"] for t in hidden)
    points = load_hidden_suite(HIDDEN_EXAMPLE).points
    assert len(hidden) == sum(len(checks) for checks in points.values())
    assert POLICY_VARIABLE not in os.environ, "autograding in this process left its policy set"


STEALING_ACTIVATIONS = """
import glob

for _path in glob.glob("{source}/**/ex01_activations/activations.py", recursive=True):
    try:
        with open(_path, encoding="utf-8") as _file:
            exec(compile(_file.read(), _path, "exec"))
        break
    except OSError:
        pass
for _path in glob.glob("{source}/hidden/*.py"):
    try:
        open(_path, encoding="utf-8").read()
        HIDDEN_READ = True
    except OSError:
        pass
"""
"""A submission that writes nothing and runs whatever reference Gradescope's container holds."""


@pytest.mark.skipif(landlock_abi() < 1, reason="no Landlock in this kernel")
def test_gradescope_hides_its_source_where_user_namespaces_are_blocked(tmp_path: Path) -> None:
    """Gradescope's containers block user namespaces: ``run_autograder`` there, with the
    reference and the hidden checks in ``/autograder/source``, still keeps both from the
    student's code (Landlock, seccomp), so a submission that runs the reference earns nothing."""
    archive = tmp_path / "autograder.zip"
    assert _export_gradescope(archive, HIDDEN_EXAMPLE).returncode == 0
    root = tmp_path / "autograder"
    platforms.unpack(archive, root / "source")
    submission = root / "submission"
    submission.mkdir()
    stealing = STEALING_ACTIVATIONS.format(source=root / "source")
    (submission / "activations.py").write_text(stealing, encoding="utf-8")
    honest = exercises()[1]  # ex02_losses, its own work: the grading did run
    shutil.copyfile(SOLUTIONS / honest.relative_path, submission / honest.filename)
    env = {
        **os.environ,
        "AUTOGRADER_ROOT": str(root),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
    }
    done = subprocess.run(
        [sys.executable, str(BLOCKED), "bash", str(root / "source" / "run_autograder")],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads((root / "results" / "results.json").read_text())
    earned = {t["name"] for t in results["tests"] if t["score"]}
    ex02 = {t["name"] for t in results["tests"] if t["name"].startswith(f"{honest.name}/")}
    assert earned == ex02, f"points beyond the honest exercise's: {sorted(earned - ex02)}"
    assert "WEAK ISOLATION" not in results.get("output", ""), results.get("output")


def test_gradescope_export_refuses_a_broken_suite(tmp_path: Path) -> None:
    (tmp_path / "suite").mkdir()
    (tmp_path / "suite" / "ex01_activations.py").write_text("def test_x(student):\n    pass\n")
    done = _export_gradescope(tmp_path / "a.zip", tmp_path / "suite")
    assert done.returncode == 2 and "--hidden-tests" in done.stderr
    assert not (tmp_path / "a.zip").exists()
