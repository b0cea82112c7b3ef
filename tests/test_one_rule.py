"""One rule for which of a submission's files are graded, whoever grades it: ``grader grade``,
``grader batch`` and Gradescope's ``grader autograde`` take the same files and list the same
ones as ignored; and a student's partial run (``pytest -k``) marks what it did not run."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from kit import SOLUTIONS, grade, results

from grader.results.model import validate

ACTIVATIONS = SOLUTIONS / "ex01_activations" / "activations.py"
DECOY = ".venv/lib/python3.11/site-packages/keras/src/activations/activations.py"
WRONG = b"def sigmoid(x):\n    return x\n"


def flat_upload_with_a_virtualenv(folder: Path) -> Path:
    """``activations.py`` at the top, as platforms store uploads, and Keras's own
    ``activations.py`` deep in a virtual environment the student zipped by mistake."""
    folder.mkdir(parents=True)
    shutil.copyfile(ACTIVATIONS, folder / "activations.py")
    (folder / DECOY).parent.mkdir(parents=True)
    (folder / DECOY).write_bytes(WRONG)
    return folder


def test_grade_skips_a_virtualenv_as_the_batch_does(tmp_path: Path) -> None:
    folder = flat_upload_with_a_virtualenv(tmp_path / "students" / "kim")
    report = grade(folder, tmp_path / "graded.json", "--only=ex01_activations")
    assert all(t["status"] == "passed" for t in report["tests"]), report["tests"]
    assert report["score"] == report["max_score"] == 15
    assert {
        "path": ".venv/",
        "reason": "a cache, version-control or environment folder: never searched",
    } in report["ignored"]
    command = [sys.executable, "-m", "grader", "batch", str(tmp_path / "students")]
    done = subprocess.run(
        [*command, "--out", str(tmp_path / "out"), "--only", "ex01_activations"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    batched = json.loads((tmp_path / "out" / "kim.json").read_text())
    assert batched["submission"]["status"] == "graded"
    assert batched["score"] == report["score"]
    assert batched["fingerprint"] == report["fingerprint"]
    assert batched["ignored"] == batched["submission"]["ignored"] == report["ignored"]


def test_gradescope_takes_the_file_outside_the_virtualenv(tmp_path: Path) -> None:
    flat_upload_with_a_virtualenv(tmp_path / "submission")
    done = subprocess.run(
        [sys.executable, "-m", "grader", "autograde", "gradescope", "--root", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    tests = json.loads((tmp_path / "results" / "results.json").read_text())["tests"]
    ex01 = [t for t in tests if t["name"].startswith("ex01_activations/")]
    assert ex01 and all(t["status"] == "passed" for t in ex01), ex01


def _pytest(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pytest", str(folder), "-p", "no:cacheprovider", *args],
        cwd=folder.parent,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_deselected_check_is_not_run_and_never_the_next_step(tmp_path: Path) -> None:
    shutil.copytree(SOLUTIONS, tmp_path / "exercises")
    path = tmp_path / "exercises" / "ex01_activations" / "activations.py"
    path.write_text(path.read_text() + "\n\ndef sigmoid(x):\n    return x\n")
    report_path = tmp_path / "report.json"
    done = _pytest(
        tmp_path / "exercises" / "ex01_activations",
        "-k",
        "softmax",
        f"--score-report={report_path}",
        "--lang=en",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_path.read_text())
    validate(report)
    by_check = {name: t for (_, name), t in results(report).items()}
    ran = {name for name in by_check if "softmax" in name}
    assert ran and all(by_check[name]["status"] == "passed" for name in ran)
    assert {t["status"] for name, t in by_check.items() if name not in ran} == {"not_run"}
    assert by_check["sigmoid"]["score"] == 0 and by_check["sigmoid"]["message"]
    assert report["max_score"] == 15 and report["score"] == len(ran)
    table = " ".join(done.stdout.replace("│", " ").split())  # the table's wrapped cells
    not_run = len(by_check) - len(ran)
    assert f"ex01_activations 3 / 15 3 / 14 all checks that ran pass; {not_run} not run" in table
    assert "sigmoid:" not in table and "error" not in table
    assert f"{not_run} checks were not run in this session" in table


def test_an_expected_exercise_that_did_not_run_stays_an_error(tmp_path: Path) -> None:
    shutil.copytree(SOLUTIONS / "ex01_activations", tmp_path / "exercises" / "ex01_activations")
    report_path = tmp_path / "report.json"
    done = _pytest(
        tmp_path / "exercises",
        "-k",
        "softmax",
        f"--score-report={report_path}",
        "--expect-exercises=ex01_activations,ex02_losses",
    )
    assert done.returncode == 0, done.stdout + done.stderr
    statuses = {(t["exercise"], t["status"]) for t in json.loads(report_path.read_text())["tests"]}
    assert ("ex01_activations", "not_run") not in statuses
    assert ("ex01_activations", "error") in statuses and ("ex02_losses", "error") in statuses


def test_a_diagnosis_is_a_field_the_judge_sets_never_read_back_from_the_message() -> None:
    """The judge's explained mistake is the verdict's diagnosis, through every re-raise; a
    "Likely mistake" line in the message that the judge did not explain (the student's code
    printed it) is not one."""
    from grader.judge.verdict import Verdict, explain
    from grader.words import say

    explained = explain("sum_instead_of_mean")
    verdict = Verdict.of("mean_squared_error(y_true, y_pred) is wrong", explained)
    assert verdict.diagnosis == say("mistake.sum_instead_of_mean.name")
    again = Verdict.of(verdict, "(case: 2-d float64)")
    assert again.diagnosis == verdict.diagnosis and again.message.endswith("(case: 2-d float64)")
    assert Verdict.of(Verdict("stopped", "timeout"), "more").status == "timeout"
    printed = say("status.printed", text=say("compare.mistake", name="forged", hint="none"))
    assert Verdict(f"softmax(x) is wrong\n{printed}").diagnosis == ""
