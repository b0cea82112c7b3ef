"""Grading whole submissions: full marks, zero, the report, and broken files."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from kit import EXERCISES, SOLUTIONS, grade, results

from grader.catalog import exercises
from grader.judge.cases import golden_cases
from grader.results.model import validate
from grader.words import say

KIT_TOTAL = sum(e.max_score for e in exercises())

STATUSES_OF_STUB = {"not_attempted"}


@pytest.fixture(scope="module")
def solutions_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade(SOLUTIONS, tmp_path_factory.mktemp("solutions") / "report.json")


@pytest.fixture(scope="module")
def stubs_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    return grade(EXERCISES, tmp_path_factory.mktemp("stubs") / "report.json")


def test_solutions_score_exactly_full_marks(solutions_report: dict) -> None:
    assert solutions_report["score"] == solutions_report["max_score"] == KIT_TOTAL
    assert all(t["status"] == "passed" and t["message"] == "" for t in solutions_report["tests"])
    assert [e["name"] for e in solutions_report["exercises"]] == [e.name for e in exercises()]


def test_stubs_score_zero_with_a_readable_status(stubs_report: dict) -> None:
    assert stubs_report["score"] == 0
    assert stubs_report["max_score"] == KIT_TOTAL
    for test in stubs_report["tests"]:
        assert test["status"] in STATUSES_OF_STUB, test
        assert "not attempted yet" in test["message"]
        assert "Traceback" not in test["message"]


def test_reports_follow_the_schema(solutions_report: dict, stubs_report: dict) -> None:
    validate(solutions_report)
    validate(stubs_report)
    assert set(solutions_report["environment"]) >= {"python", "numpy", "tensorflow"}
    assert set(solutions_report["fingerprint"]["files"]) == {e.relative_path for e in exercises()}


def test_fingerprint_changes_with_the_files(solutions_report: dict, stubs_report: dict) -> None:
    assert solutions_report["fingerprint"]["sha256"] != stubs_report["fingerprint"]["sha256"]


def test_grading_twice_gives_identical_marks(solutions_report: dict, tmp_path: Path) -> None:
    again = grade(SOLUTIONS, tmp_path / "again.json")
    keep = ("name", "exercise", "score", "max_score", "status", "message")
    assert [{k: t[k] for k in keep} for t in again["tests"]] == [
        {k: t[k] for k in keep} for t in solutions_report["tests"]
    ]
    assert again["fingerprint"] == solutions_report["fingerprint"]


def _copy_solutions(tmp_path: Path) -> Path:
    return Path(shutil.copytree(SOLUTIONS, tmp_path / "submission"))


BROKEN = {
    "ex01_activations": "could not be imported",
    "ex02_losses": "ex02_losses/losses.py was not found",
    "ex03_optimizers": "could not be imported",
}
"""What each broken exercise of the ``broken_report`` submission must say: a syntax error, a
missing file and a file that is not UTF-8, beside intact files for every other exercise."""


@pytest.fixture(scope="module")
def broken_report(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """The reference solutions with three exercises broken three ways, graded as a whole."""
    folder = Path(shutil.copytree(SOLUTIONS, tmp_path_factory.mktemp("broken") / "submission"))
    activations = folder / "ex01_activations" / "activations.py"
    activations.write_text(activations.read_text() + "\ndef broken(:\n    pass\n")
    (folder / "ex02_losses" / "losses.py").unlink()
    optimizers = folder / "ex03_optimizers" / "optimizers.py"
    optimizers.write_bytes(optimizers.read_bytes() + '\nGREETING = "\xe4\xf6"\n'.encode("latin-1"))
    return grade(folder)


def _assert_broken(report: dict, exercise: str) -> None:
    """``exercise`` scored nothing, every check of it an error saying why."""
    for (ex, _check), test in results(report).items():
        if ex == exercise:
            assert test["status"] == "error", test
            assert BROKEN[exercise] in test["message"], test["message"]
    graded = {e["name"]: e["score"] for e in report["exercises"]}
    assert graded[exercise] == 0


def test_broken_files_cost_only_their_exercises(broken_report: dict) -> None:
    """Every other exercise is graded in full, beside the three broken ones."""
    intact = [(key, t) for key, t in results(broken_report).items() if key[0] not in BROKEN]
    assert {ex for (ex, _), _t in intact} == {e.name for e in exercises()} - set(BROKEN)
    lost = {
        f"{ex}::{name}": (t["status"], t["message"])
        for (ex, name), t in intact
        if t["status"] != "passed"
    }
    assert not lost, lost
    assert broken_report["score"] == KIT_TOTAL - sum(
        e.max_score for e in exercises() if e.name in BROKEN
    )


def test_a_missing_file_costs_only_its_exercise(broken_report: dict) -> None:
    _assert_broken(broken_report, "ex02_losses")


def test_a_syntax_error_costs_only_its_exercise(broken_report: dict) -> None:
    _assert_broken(broken_report, "ex01_activations")
    tests = [t for t in broken_report["tests"] if t["exercise"] == "ex01_activations"]
    messages = [t["message"] for t in tests]
    # Said once, in full, with the line and a caret under where Python stopped; the other checks
    # point to it, with no case line of their own.
    full = [m for m in messages if "SyntaxError" in m]
    assert len(full) == 1, messages
    assert "line" in full[0] and "def broken(:\n" in full[0] and full[0].endswith("^"), full[0]
    assert all("(case:" not in m for m in messages)
    assert len(set(messages)) == 2, messages
    assert {t["diagnosis"] for t in tests} == {
        say("table.fix_syntax", file="activations.py", type="SyntaxError")
    }


def test_a_file_that_is_not_utf8_costs_only_its_exercise(broken_report: dict) -> None:
    _assert_broken(broken_report, "ex03_optimizers")
    message = next(
        t["message"] for t in broken_report["tests"] if t["exercise"] == "ex03_optimizers"
    )
    assert "UTF-8" in message or "utf-8" in message, message


def test_an_endless_loop_times_out_and_other_checks_still_count(tmp_path: Path) -> None:
    folder = _copy_solutions(tmp_path)
    path = folder / "ex01_activations" / "activations.py"
    path.write_text(path.read_text() + "\n\ndef tanh(x):\n    while True:\n        pass\n")
    report = grade(folder, None, "--call-timeout=2", "--only=ex01_activations")
    by_check = results(report)
    for name in ("tanh", "tanh_extreme", "inputs_unmodified"):
        assert by_check[("ex01_activations", name)]["status"] == "timeout"
    assert "did not finish within 2 s" in by_check[("ex01_activations", "tanh")]["message"]
    assert "not called again" in by_check[("ex01_activations", "tanh_extreme")]["message"]
    assert report["score"] == report["max_score"] - 3


def test_exit_and_exceptions_are_errors_with_the_students_line(tmp_path: Path) -> None:
    folder = _copy_solutions(tmp_path)
    path = folder / "ex01_activations" / "activations.py"
    path.write_text(
        path.read_text() + "\n\ndef relu(x):\n    print('debug relu')\n    raise SystemExit(3)\n"
        "\n\ndef sigmoid(x):\n    return 1 / 0\n"
    )
    by_check = results(grade(folder, None, "--only=ex01_activations"))
    relu = by_check[("ex01_activations", "relu")]
    assert relu["status"] == "error" and "exit code 3" in relu["message"]
    assert "debug relu" in relu["message"]
    sigmoid = by_check[("ex01_activations", "sigmoid")]
    assert sigmoid["status"] == "error"
    assert "ZeroDivisionError" in sigmoid["message"] and "return 1 / 0" in sigmoid["message"]
    assert by_check[("ex01_activations", "tanh")]["status"] == "passed"


def test_checks_runs_only_the_checks_named(tmp_path: Path) -> None:
    """``grader grade --checks``: the checks named run, the others are not run and earn
    nothing, and a name that is no check is refused."""
    report = grade(
        SOLUTIONS, tmp_path / "r.json", "--only=ex01_activations", "--checks=softmax,relu"
    )
    statuses = {name: t["status"] for (_, name), t in results(report).items()}
    assert statuses.pop("softmax") == statuses.pop("relu") == "passed"
    assert set(statuses.values()) == {"not_run"}, statuses
    assert report["score"] == 2
    with pytest.raises(AssertionError, match="no check named softmaxx"):
        grade(SOLUTIONS, tmp_path / "s.json", "--only=ex01_activations", "--checks=softmaxx")


def test_pytest_on_one_exercise_grades_it_alone(tmp_path: Path) -> None:
    shutil.copytree(SOLUTIONS, tmp_path / "exercises")
    report_path = tmp_path / "reports" / "mine.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "exercises/ex01_activations",
            "-p",
            "no:cacheprovider",
            f"--score-report={report_path}",
        ],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "ex01_activations" in done.stdout and "15 / 15" in done.stdout
    report = json.loads(report_path.read_text())
    validate(report)
    assert [e["name"] for e in report["exercises"]] == ["ex01_activations"]
    assert report["score"] == report["max_score"] == 15


def test_a_students_pytest_run_shows_the_score_table(tmp_path: Path) -> None:
    shutil.copytree(EXERCISES, tmp_path / "exercises")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises", "-p", "no:cacheprovider"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1
    assert f"0 / {KIT_TOTAL}" in done.stdout and "not attempted yet" in done.stdout
    assert (tmp_path / "score-report.json").exists()


def test_reference_cases_catch_answers_copied_from_the_recorded_values(tmp_path: Path) -> None:
    folder = _copy_solutions(tmp_path)
    path = folder / "ex01_activations" / "activations.py"
    # The recorded values, copied into the file as a student could from their own copy of the
    # kit (a sandboxed process cannot read grader/golden/ itself).
    table = ",\n".join(
        f"    bytes.fromhex({c['x'].tobytes().hex()!r}): np.array("
        f"{c['expected'].tolist()!r}, dtype={str(c['expected'].dtype)!r})"
        for c in golden_cases("ex01_activations")
        if c.function == "relu"
    )
    path.write_text(
        path.read_text() + f"\n\n_TABLE = {{\n{table}\n}}\n\n\n"
        "def relu(x):\n    return _TABLE[np.asarray(x).tobytes()].copy()\n"
    )
    only = "--only=ex01_activations"
    student_side = results(grade(folder, tmp_path / "student.json", "--no-reference", only))
    assert student_side[("ex01_activations", "relu")]["status"] == "passed"
    instructor_side = grade(folder, tmp_path / "instructor.json", only)
    assert instructor_side["reference"] is not None
    relu = results(instructor_side)[("ex01_activations", "relu")]
    assert relu["status"] == "error" and "KeyError" in relu["message"]
    assert "relu(x) raised KeyError" in relu["message"]
    assert "a random input like" in relu["message"]
