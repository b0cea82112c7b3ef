"""PrairieLearn: `grader report --format prairielearn` and the external-grader step
`grader autograde prairielearn`, checked against the results format PrairieLearn documents
(docs/externalGrading.md, "Grading results"). Built from small reports: no sandbox runs."""

import json
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest
from fixture_reports import mixed_report

from grader.commands import export as platforms
from grader.judge.options import GradingOptions
from grader.results import formats as exports
from grader.results.model import ScoreReport

DOCUMENTED_EXAMPLE = {
    "gradable": True,
    "score": 0.25,
    "message": "Tests completed successfully.",
    "output": "Running tests...\nTest 1 passed\nTest 2 failed!\n...",
    "images": [
        {"label": "First Image", "url": "data:image/png;base64,..."},
        {"label": "Second Image", "url": "data:image/jpeg;base64,..."},
    ],
    "tests": [
        {
            "name": "Test 1",
            "description": "Tests that a thing does a thing.",
            "points": 1,
            "max_points": 1,
            "message": "No errors!",
            "output": "Running test...\nYour output matched the expected output!",
        },
        {
            "name": "Test 2",
            "description": "Like Test 1, but harder, you'll probably fail it.",
            "points": 0,
            "max_points": 3,
            "message": "Make sure that your code is doing the thing correctly.",
            "output": "Running test...\nYour output did not match the expected output.",
            "images": [{"label": "First Image", "url": "data:image/gif;base64,..."}],
        },
    ],
}
"""PrairieLearn's documented example of well-formed results, copied from its docs."""

IMAGE = {"type": "object", "required": ["url"], "properties": {"url": {"type": "string"}}}
RESULTS_SCHEMA = {
    "type": "object",
    "properties": {
        "gradable": {"type": "boolean"},
        "score": {"type": "number", "minimum": 0, "maximum": 1},
        "message": {"type": "string"},
        "output": {"type": "string"},
        "format_errors": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "string"}}]
        },
        "images": {"type": "array", "items": {"anyOf": [IMAGE, {"type": "string"}]}},
        "tests": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["name", "points", "max_points"],
                "additionalProperties": False,
                "properties": {
                    "name": {"type": "string"},
                    "description": {"type": "string"},
                    "points": {"type": "number", "minimum": 0},
                    "max_points": {"type": "number", "minimum": 0},
                    "message": {"type": "string"},
                    "output": {"type": "string"},
                    "images": {"type": "array"},
                },
            },
        },
    },
    "if": {"properties": {"gradable": {"const": False}}, "required": ["gradable"]},
    "then": {"not": {"required": ["score"]}},
    "else": {"required": ["score"]},
}
"""The documented rules: ``score`` in [0, 1] is required unless ``gradable`` is false; each
test has a name, points and max_points; a not-gradable result may carry ``format_errors``.
(A not-gradable result with a score would be read as graded by some versions: the kit writes
none.)"""


def test_the_schema_is_the_documented_shape() -> None:
    jsonschema.validate(DOCUMENTED_EXAMPLE, RESULTS_SCHEMA)
    for broken in ({"gradable": True}, {"score": 1.5}, {"score": 1, "tests": [{"name": "x"}]}):
        with pytest.raises(jsonschema.ValidationError):
            jsonschema.validate(broken, RESULTS_SCHEMA)


def test_results_follow_the_documented_format() -> None:
    report = mixed_report()
    results = exports.prairielearn_results(report)
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["gradable"] is True
    assert results["score"] == pytest.approx(2 / 7.25)
    assert sum(t["points"] for t in results["tests"]) == report.score == 2
    assert sum(t["max_points"] for t in results["tests"]) == report.max_score == 7.25
    assert results["message"] == "2 / 7.25 points"
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["ex01_activations/sigmoid"]["max_points"] == 0.5
    mse = by_name["ex02_losses/mean_squared_error"]
    assert mse["points"] == 0 and mse["max_points"] == 1
    assert mse["message"] == "wrong answer: summed instead of averaged"
    assert "expected 0.25, received 0.5" in mse["output"]
    assert by_name["ex01_activations/relu"]["message"] == "passed"


def test_results_speak_the_students_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "ko")
    results = exports.prairielearn_results(mixed_report())
    assert results["message"] == "2 / 7.25점"
    by_name = {t["name"]: t for t in results["tests"]}
    assert by_name["ex01_activations/relu"]["message"] == "통과"
    assert by_name["ex01_activations/softmax"]["message"] == "아직 작성 전"


def _fake_grade(report: ScoreReport):
    def grade(submission: Path, options: GradingOptions, **kwargs) -> int:
        assert submission.name == "student" and options.score_report is not None
        options.score_report.write_text(json.dumps(report.to_dict()))
        return 1

    return grade


def test_autograde_writes_results_where_prairielearn_reads_them(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(platforms, "grade", _fake_grade(mixed_report()))
    assert platforms.autograde_prairielearn(tmp_path) == 0
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["gradable"] is True and results["score"] == pytest.approx(2 / 7.25)


@pytest.mark.parametrize(
    "fault",
    [
        pytest.param(RuntimeError("disk full"), id="grader-crashes"),
        pytest.param({"score": 0}, id="report-off-schema"),
    ],
)
def test_a_kit_failure_is_not_gradable_never_a_zero(
    fault, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if isinstance(fault, Exception):

        def broken(*args, **kwargs):
            raise fault

        monkeypatch.setattr(platforms, "grade", broken)
    else:
        monkeypatch.setattr(platforms, "grade", _fake_grade(fault))
    platforms.autograde_prairielearn(tmp_path)
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["gradable"] is False and "score" not in results
    assert "not your mistake" in results["message"]
    assert results["format_errors"] == [results["message"]]
    if isinstance(fault, Exception):
        assert "disk full" in results["message"]


def test_a_refused_weak_sandbox_is_not_gradable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "tests" / "reference").mkdir(parents=True)
    monkeypatch.setattr(
        platforms, "weak_isolation_problem", lambda *a, **k: "WEAK ISOLATION: refused"
    )
    monkeypatch.setattr(platforms, "grade", _fake_grade(mixed_report()))
    assert platforms.autograde_prairielearn(tmp_path) == 2
    results = json.loads((tmp_path / "results" / "results.json").read_text())
    assert results["gradable"] is False and "WEAK ISOLATION" in results["message"]


def test_report_command_writes_prairielearn(tmp_path: Path) -> None:
    source = tmp_path / "report.json"
    source.write_text(json.dumps(mixed_report().to_dict()))
    done = subprocess.run(
        [sys.executable, "-m", "grader", "report", str(source), "--format", "prairielearn"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(done.stdout)
    jsonschema.validate(results, RESULTS_SCHEMA)
    assert results["score"] == pytest.approx(2 / 7.25)
