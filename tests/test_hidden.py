"""Hidden checks (``--hidden-tests PATH``): the example suite on the NumPy exercises, the
validation of a suite, the report, the Gradescope export and the notes under the score table."""

import json
import shutil
import subprocess
import sys
import tomllib
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from kit import (
    EXERCISES,
    ROOT,
    SOLUTIONS,
    CorpusEntry,
    corpus,
    results,
    submission_with,
    typed,
)

from grader.catalog import exercise
from grader.commands.release import build_release
from grader.judge.hidden import POINTS_FILE, HiddenSuiteError, load_hidden_suite
from grader.results import formats as exports
from grader.results.model import CheckResult, ExerciseResult, ScoreReport, validate
from grader.results.table import hidden_note, next_step
from grader.words import messages, say

EXAMPLE = ROOT / "grader" / "hidden_example"
NUMPY_EXERCISES = ["ex01_activations", "ex02_losses", "ex03_optimizers"]
with (EXAMPLE / POINTS_FILE).open("rb") as _f:
    HIDDEN_POINTS: dict[str, dict[str, int]] = tomllib.load(_f)
UNNORMALISED_CCE = """

def categorical_crossentropy(y_true, y_pred):
    return -np.sum(y_true * np.log(np.clip(y_pred, EPSILON, 1 - EPSILON)), axis=-1)
"""
"""Keras's formula without dividing y_pred by its row sums: every visible check passes."""


def _grade(folder: Path, *extra: str) -> tuple[dict[str, Any], str]:
    """``grader grade folder --hidden-tests EXAMPLE`` on the NumPy exercises: the report, and
    what it printed with its line breaks made spaces."""
    report = folder.parent / f"{folder.name}.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "grader", "grade", str(folder), "--json", str(report)),
            *("--quiet", f"--hidden-tests={EXAMPLE}", "--only=" + ",".join(NUMPY_EXERCISES)),
            *extra,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0 and report.exists(), done.stdout + done.stderr
    return json.loads(report.read_text(encoding="utf-8")), " ".join(done.stdout.split())


def _entry(kind: str, name: str) -> CorpusEntry:
    return next(e for e in corpus(kind) if e.id == name)


def _append(folder: Path, exercise_name: str, source: str) -> None:
    module = folder / exercise(exercise_name).relative_path
    module.write_text(module.read_text(encoding="utf-8") + "\n\n" + source, encoding="utf-8")


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[dict[str, Any], str]]:
    """Solutions, stubs, a wrong and a right submission, graded with the example suite."""
    root = tmp_path_factory.mktemp("hidden")
    wrong = submission_with(
        _entry("wrong", "ex01_activations__softmax_ignores_axis"), root / "wrong"
    )
    _append(wrong, "ex02_losses", UNNORMALISED_CCE)
    right = submission_with(
        _entry("right", "ex01_activations__other_vectorisations"), root / "right"
    )
    for name in ("ex02_losses__textbook_forms", "ex03_optimizers__textbook_forms"):
        entry = _entry("right", name)
        _append(right, entry.exercise, entry.path.read_text(encoding="utf-8"))
    stubs = Path(shutil.copytree(EXERCISES, root / "stubs"))
    solutions = Path(shutil.copytree(SOLUTIONS, root / "solutions"))
    jobs = {"solutions": solutions, "stubs": stubs, "wrong": wrong, "right": right}
    with ThreadPoolExecutor(max_workers=2) as pool:
        done = dict(zip(jobs, pool.map(_grade, jobs.values()), strict=True))
    return done


def _hidden(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [t for t in report["tests"] if t["hidden"]]


def test_solutions_get_full_marks_with_the_hidden_checks(graded) -> None:
    report, stdout = graded["solutions"]
    validate(report)
    hidden_total = sum(sum(table.values()) for table in HIDDEN_POINTS.values())
    visible_total = sum(exercise(name).max_score for name in NUMPY_EXERCISES)
    assert report["score"] == report["max_score"] == visible_total + hidden_total
    assert {(t["exercise"], t["name"]) for t in _hidden(report)} == {
        (name, check) for name, table in HIDDEN_POINTS.items() for check in table
    }
    assert all(t["status"] == "passed" for t in report["tests"])
    for row in report["exercises"]:
        visible = exercise(row["name"])
        assert (
            row["max_score"]
            == row["score"]
            == visible.max_score + sum(HIDDEN_POINTS[row["name"]].values())
        )
        assert (
            row["checks"] == row["passed"] == len(visible.points) + len(HIDDEN_POINTS[row["name"]])
        )
    assert say("table.hidden_included", checks=6, passed=6, score=11, max_score=11) in stdout
    assert say("table.visible_only") not in stdout


def test_stubs_score_zero_on_the_hidden_checks(graded) -> None:
    report, _ = graded["stubs"]
    assert report["score"] == 0 and len(_hidden(report)) == 6
    for test in _hidden(report):
        assert test["status"] == "not_attempted", test
        assert "not attempted yet" in test["message"]


def test_correct_variants_pass_the_hidden_checks_too(graded) -> None:
    report, _ = graded["right"]
    assert [t for t in report["tests"] if t["status"] != "passed"] == []


def test_a_wrong_answer_fails_its_hidden_check_with_a_useful_message(graded) -> None:
    report, _ = graded["wrong"]
    found = results(report)
    softmax = found[("ex01_activations", "softmax_more_inputs")]
    assert softmax["hidden"] and softmax["status"] == "failed" and softmax["score"] == 0
    assert softmax["diagnosis"] == "the axis argument is ignored"
    assert "softmax(x, axis=2) is wrong for 4-d float64 array" in softmax["message"]
    assert "expected (the reference solution):" in softmax["message"]
    assert "received:" in softmax["message"]


def test_hidden_checks_catch_what_the_visible_ones_let_through(graded) -> None:
    found = results(graded["wrong"][0])
    visible = [t for t in graded["wrong"][0]["tests"] if t["exercise"] == "ex02_losses"]
    assert all(t["status"] == "passed" for t in visible if not t["hidden"])
    unnormalised = found[("ex02_losses", "categorical_unnormalised")]
    assert unnormalised["status"] == "failed"
    assert unnormalised["diagnosis"] == "y_pred used without dividing it by its row sums"
    assert "rows of y_pred that do not sum to 1" in unnormalised["message"]


def test_the_table_marks_a_failing_hidden_check(graded) -> None:
    report, stdout = graded["wrong"]
    assert next_step(typed(report), "ex02_losses").startswith("categorical_unnormalised (hidden): ")
    assert not next_step(typed(report), "ex01_activations").startswith("softmax_axis (hidden)")
    assert say("table.hidden_included", checks=6, passed=4, score=8, max_score=11) in stdout


def test_gradescope_shows_hidden_checks_after_the_due_date(graded) -> None:
    report, _ = graded["wrong"]
    tests = exports.gradescope_results(typed(report))["tests"]
    after = {t["name"] for t in tests if t["visibility"] == "after_due_date"}
    assert after == {f"{t['exercise']}/{t['name']}" for t in _hidden(report)}
    assert len(after) == 6 and len(tests) > len(after)
    named = exports.gradescope_results(typed(report), hidden={"ex01_activations/relu"})["tests"]
    assert {t["name"] for t in named if t["visibility"] == "after_due_date"} == after | {
        "ex01_activations/relu"
    }


def test_the_note_under_the_table_follows_the_run() -> None:
    relu = CheckResult("relu", "ex01_activations", 1, "passed", "")
    more = CheckResult("relu_more", "ex01_activations", 1, "failed", "wrong", hidden=True)

    def report(reference: str | None, *checks: CheckResult) -> ScoreReport:
        exercise = ExerciseResult("ex01_activations", "Activations", len(checks), checks)
        return ScoreReport((exercise,), {}, 0, reference, {})

    assert hidden_note(report(None, relu)) == say("table.visible_only")
    assert hidden_note(report("/kit/solutions", relu)) == ""
    assert hidden_note(report("/kit/solutions", relu, more)) == say(
        "table.hidden_included", checks=1, passed=0, score=0, max_score=1
    )


def _student_run(tmp_path: Path, *options: str) -> str:
    shutil.copytree(EXERCISES / "ex01_activations", tmp_path / "exercises" / "ex01_activations")
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "exercises", "-p", "no:cacheprovider", *options],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    return " ".join(done.stdout.split())


def test_a_students_run_says_the_table_counts_visible_checks_only(tmp_path: Path) -> None:
    stdout = _student_run(tmp_path)
    assert "This table counts the visible checks only: your instructor may grade" in stdout
    english_line = messages("en")["table"]["pytest_line"].split("{checks}")[1][:30]
    assert english_line not in stdout, "the pytest line is explained in other languages only"


def test_korean_run_notes_and_explains_pytests_english_summary(tmp_path: Path) -> None:
    stdout = _student_run(tmp_path, "--lang=ko")
    assert "이 표는 공개된 검사만 셉니다" in stdout
    assert "검사 14개 중 0개를 통과했습니다. 아래 pytest의 영어 요약줄에서" in stdout


def _suite(folder: Path, points: str | None, modules: dict[str, str]) -> Path:
    folder.mkdir()
    if points is not None:
        (folder / POINTS_FILE).write_text(points, encoding="utf-8")
    for name, source in modules.items():
        (folder / f"{name}.py").write_text(source, encoding="utf-8")
    return folder


CHECK = "def test_more(student):\n    pass\n"
BAD_SUITES = {
    "no points file": (None, {"ex01_activations": CHECK}, POINTS_FILE, "is missing"),
    "check without points": (
        "[ex01_activations]\nmore = 1\n",
        {"ex01_activations": CHECK + "\n\ndef test_other(student):\n    pass\n"},
        "ex01_activations.py",
        "test_other has no points",
    ),
    "points for a missing check": (
        "[ex01_activations]\nmore = 1\nnot_there = 2\n",
        {"ex01_activations": CHECK},
        POINTS_FILE,
        "not_there has no check",
    ),
    "points for a missing module": (
        "[ex02_losses]\nmore = 1\n",
        {},
        POINTS_FILE,
        "ex02_losses.py is missing",
    ),
    "module of no exercise": (
        "[ex01_activations]\nmore = 1\n",
        {"ex01_activations": CHECK, "ex01_activation": CHECK},
        "ex01_activation.py",
        "not named after an exercise",
    ),
    "table of no exercise": (
        "[ex01_activations]\nmore = 1\n[ex9_nothing]\nmore = 1\n",
        {"ex01_activations": CHECK},
        POINTS_FILE,
        "no exercise named 'ex9_nothing'",
    ),
    "points not a whole number": (
        "[ex01_activations]\nmore = 1.5\n",
        {"ex01_activations": CHECK},
        POINTS_FILE,
        "points must be a whole number above 0",
    ),
    "zero points": (
        "[ex01_activations]\nmore = 0\n",
        {"ex01_activations": CHECK},
        POINTS_FILE,
        "points must be a whole number above 0",
    ),
    "name of a visible check": (
        "[ex01_activations]\nrelu = 1\n",
        {"ex01_activations": "def test_relu(student):\n    pass\n"},
        "ex01_activations.py",
        "has the name of a visible check",
    ),
    "module that cannot be imported": (
        "[ex01_activations]\nmore = 1\n",
        {"ex01_activations": "import no_such_module_anywhere\n" + CHECK},
        "ex01_activations.py",
        "could not be imported: ModuleNotFoundError",
    ),
}


@pytest.mark.parametrize("case", BAD_SUITES.values(), ids=BAD_SUITES.keys())
def test_a_bad_suite_is_refused_naming_the_file(tmp_path: Path, case: tuple) -> None:
    points, modules, file, words = case
    folder = _suite(tmp_path / "suite", points, modules)
    with pytest.raises(HiddenSuiteError) as raised:
        load_hidden_suite(folder)
    message = str(raised.value)
    assert message.startswith(str(folder / file)), message
    assert words in message


def test_the_example_suite_loads() -> None:
    suite = load_hidden_suite(EXAMPLE)
    assert suite.points == HIDDEN_POINTS and set(suite.modules) == set(HIDDEN_POINTS)


@pytest.mark.parametrize(
    ("points", "source", "words", "code"),
    [
        # The command line refuses a suite it cannot load (usage: 2); pytest refuses a check it
        # collects without points (its usage error: 4).
        ("[ex01_activations]\nmore = 1\n", "", "missing_folder", 2),
        (
            "[ex01_activations]\nmore = 1\n",
            "import pytest\n\n\n@pytest.mark.parametrize('n', [1, 2])\n"
            "def test_more(student, n):\n    pass\n",
            "ex01_activations.py: test_more[1] has no points in",
            4,
        ),
    ],
    ids=["not a folder", "a parametrised check"],
)
def test_grader_grade_stops_before_grading(
    tmp_path: Path, points: str, source: str, words: str, code: int
) -> None:
    folder = tmp_path / "missing_folder"
    if source:
        folder = _suite(tmp_path / "suite", points, {"ex01_activations": source})
    report = tmp_path / "report.json"
    done = subprocess.run(
        [
            *(sys.executable, "-m", "grader", "grade", str(SOLUTIONS), "--json", str(report)),
            *("--quiet", "--only=ex01_activations", f"--hidden-tests={folder}"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == code, done.stdout + done.stderr
    assert "--hidden-tests: " in done.stderr and words in done.stderr


def test_the_student_release_leaves_the_example_suite_out(tmp_path: Path) -> None:
    release = build_release(tmp_path / "student")
    assert (release / "grader" / "checks").is_dir()
    assert not (release / "grader" / "hidden_example").exists()


def test_the_students_code_cannot_read_the_hidden_suite(tmp_path: Path) -> None:
    """The example suite sits in the grader's folder, of which a student's process sees only the
    worker's runtime: unreadable whether or not it is given as --hidden-tests."""
    folder = Path(shutil.copytree(SOLUTIONS, tmp_path / "submission"))
    _append(
        folder,
        "ex01_activations",
        f"def relu(x):\n    open({str(EXAMPLE / POINTS_FILE)!r}).read()\n"
        "    return np.maximum(x, 0)\n",
    )

    def relu(*extra: str) -> dict[str, Any]:
        report = tmp_path / "report.json"
        done = subprocess.run(
            [
                *(sys.executable, "-m", "grader", "grade", str(folder), "--json", str(report)),
                *("--quiet", "--only=ex01_activations", *extra),
            ],
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr
        graded = json.loads(report.read_text(encoding="utf-8"))
        if graded.get("isolation", {}).get("level") != "namespaces":
            pytest.skip("no sandbox with namespaces on this machine")
        return results(graded)[("ex01_activations", "relu")]

    alone = relu()
    assert alone["status"] == "error" and "points.toml" in alone["message"], alone
    hidden = relu(f"--hidden-tests={EXAMPLE}")
    assert hidden["status"] == "error" and "points.toml" in hidden["message"], hidden
