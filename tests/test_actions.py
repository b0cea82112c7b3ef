"""GitHub Actions without Classroom: the job summary, the annotations and the check run
derived from the score report, and the workflow `grader export actions` writes, whose own
shell lines are run here on a small report (no sandbox runs)."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest
import yaml
from fixture_reports import mixed_report

from grader.commands import export as platforms
from grader.results import actions

LOSSES = """import numpy as np


def binary_crossentropy(y_true, y_pred):
    return -np.mean(y_true * np.log(y_pred))


def mean_squared_error(y_true, y_pred):
    return np.sum((y_true - y_pred) ** 2)
"""
"""ex02's file: binary_crossentropy on line 4, mean_squared_error on line 8."""


def test_summary_has_the_table_and_each_failing_checks_feedback() -> None:
    summary = actions.step_summary(mixed_report())
    assert summary.startswith("## Score: 2 / 7.25\n")
    assert "| ex01_activations | 2 / 4 | 2 / 3 |" in summary
    assert "| ex02_losses | 0 / 3.25 | 0 / 2 |" in summary
    assert "| **Total** | **2 / 7.25** | 2 / 5 |" in summary
    assert "### Checks that did not pass (2)" in summary
    assert (
        "<code>ex02_losses/mean_squared_error</code>: wrong answer: summed instead of averaged"
        in summary
    )
    assert "expected 0.25, received 0.5." in summary
    assert "- ex01_activations: softmax" in summary  # not attempted: listed, not unfolded
    assert "visible checks only" in summary  # no reference: a student's run


def test_summary_speaks_the_course_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("GRADER_LANG", "ko")
    summary = actions.step_summary(mixed_report())
    assert summary.startswith("## 점수: 2 / 7.25\n")
    assert "| 연습문제 | 점수 | 통과한 검사 |" in summary
    assert "통과하지 못한 검사(2개)" in summary and "틀린 답" in summary


def test_annotations_point_at_the_definition_the_message_names() -> None:
    sources = {"ex02_losses/losses.py": LOSSES}
    commands = actions.annotations(mixed_report(), sources)
    errors = [c for c in commands if c.startswith("::error")]
    assert len(errors) == 2
    mse, clipping = errors
    assert mse.startswith(
        "::error file=exercises/ex02_losses/losses.py,line=8,"
        "title=ex02_losses/mean_squared_error%3A wrong answer%3A summed instead of averaged::"
    )
    assert "received 0.5.%0ALikely mistake" in mse  # a newline, escaped
    # crossentropy_clipping's message calls binary_crossentropy: its line, not a guess
    assert clipping.startswith("::error file=exercises/ex02_losses/losses.py,line=4,")
    assert clipping.endswith(
        "::binary_crossentropy(y_true, y_pred) raised ValueError: 50%25 | bad, value"
    )
    notice = next(c for c in commands if c.startswith("::notice"))
    assert "title=ex01_activations%3A not attempted yet" in notice and "softmax" in notice
    assert "file=" not in notice  # ex01's file was not given


def test_annotations_are_capped() -> None:
    commands = actions.annotations(mixed_report(), {}, cap=1)
    assert [c.split(" ")[0].split("::")[1] for c in commands] == ["error", "warning", "notice"]
    assert "1 more checks did not pass" in commands[1]


def test_a_file_that_does_not_parse_is_annotated_at_its_syntax_error() -> None:
    test = mixed_report().tests[3]
    assert actions.locate(test, "def mean_squared_error(:\n") == 1
    assert actions.locate(test, "x = 1\n\n\ndef f(\n") == 4
    assert actions.locate(replace(test, message="", name="inputs_unmodified"), LOSSES) is None


def test_check_run_title_carries_the_score() -> None:
    body = actions.check_run(mixed_report(), head_sha="abc123")
    assert body["name"] == "ex01-ex02" and body["head_sha"] == "abc123"
    assert body["output"]["title"] == "ex01-ex02: 2/7.25"
    assert body["status"] == "completed" and body["conclusion"] == "neutral"
    named = actions.check_run(mixed_report(), head_sha="abc123", assignment="Lab 1")
    assert named["output"]["title"] == "Lab 1: 2/7.25"


def _grader_env(tmp_path: Path) -> dict[str, str]:
    """A shell in which `grader` is this checkout's, as the workflow's installed one."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    shim = bin_dir / "grader"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m grader "$@"\n')
    shim.chmod(0o755)
    return {
        **os.environ,
        "PATH": f"{bin_dir}{os.pathsep}{os.environ['PATH']}",
        "PYTHONPATH": str(Path(__file__).resolve().parent.parent),
        "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
        "GITHUB_SHA": "0123abc",
        "GRADER_KIT": platforms.OWN_COPY,  # the job's env, neither variable nor --kit-url set
    }


def _steps(workflow: Path) -> dict[str, dict]:
    parsed = yaml.safe_load(workflow.read_text())
    return {step.get("name", step.get("uses")): step for step in parsed["jobs"]["grade"]["steps"]}


def _run_step(step: dict, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    script = step["run"].replace("${{ vars.GRADER_KIT }}", "")
    return subprocess.run(
        ["bash", "-e", "-c", script], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def test_the_workflow_installs_the_pinned_kit_and_uploads_the_report(tmp_path: Path) -> None:
    workflow = platforms.actions_workflow(tmp_path / ".github" / "workflows" / "grade.yml")
    steps = _steps(workflow)
    job = yaml.safe_load(workflow.read_text())["jobs"]["grade"]
    assert job["env"]["GRADER_KIT"] == "${{ vars.GRADER_KIT || '.' }}"
    assert '"$GRADER_KIT"' in steps["Install the grader"]["run"]
    # What grader collect actions downloads is what the workflow uploads.
    upload = steps["actions/upload-artifact@v4"]["with"]
    assert (upload["name"], upload["path"]) == (actions.ARTIFACT_NAME, actions.REPORT_FILE)
    assert f"--json {actions.REPORT_FILE} " in steps["Grade"]["run"]
    # The installed grader and TensorFlow are kept between runs, per Python and grader.
    restore = steps["Restore the grader's environment"]
    save = steps["Keep the grader's environment for the next runs"]
    assert (restore["uses"], save["uses"]) == ("actions/cache/restore@v4", "actions/cache/save@v4")
    assert restore["with"]["path"] == save["with"]["path"] == "~/.grader-env"
    key = restore["with"]["key"]
    assert "steps.python.outputs.python-version" in key and "env.GRADER_KIT" in key
    assert save["with"]["key"] == "${{ steps.grader-env.outputs.cache-primary-key }}"
    names = list(steps)
    assert names.index("Install the grader") < names.index(save["name"]) < names.index("Grade")
    install = steps["Install the grader"]["run"]
    assert "~/.grader-env/bin/pip install" in install
    assert subprocess.run(["bash", "-n", "-c", install], check=False).returncode == 0
    assert not any("fail-under" in step.get("run", "") for step in steps.values())
    assert "Classroom was retired" in workflow.read_text()


def test_the_workflow_installs_the_published_wheel(tmp_path: Path) -> None:
    url = "https://course.example.org/grader/dl_grader_kit-0.1.0-py3-none-any.whl"
    workflow = platforms.actions_workflow(tmp_path / "grade.yml", kit_url=url)
    job = yaml.safe_load(workflow.read_text())["jobs"]["grade"]
    assert job["env"]["GRADER_KIT"] == f"${{{{ vars.GRADER_KIT || '{url}' }}}}"
    with pytest.raises(ValueError, match="without spaces, quotes or commas"):
        platforms.actions_workflow(tmp_path / "bad.yml", kit_url="https://x.org/a.whl' || 'y")


def test_the_workflows_own_lines_write_summary_annotations_and_policy(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "exercises" / "ex02_losses").mkdir(parents=True)
    (repo / "exercises" / "ex02_losses" / "losses.py").write_text(LOSSES)
    (repo / "report.json").write_text(json.dumps(mixed_report().to_dict()))
    env = _grader_env(tmp_path)
    workflow = platforms.actions_workflow(repo / "grade.yml", fail_under=3, lang="ko")
    steps = _steps(workflow)
    done = _run_step(steps["Summary and annotations"], repo, env)
    assert done.returncode == 0, done.stderr
    summary = (tmp_path / "summary.md").read_text()
    assert "GRADER_KIT is not set" in summary and "## Score: 2 / 7.25" in summary
    assert "::error file=exercises/ex02_losses/losses.py,line=8," in done.stdout
    policy = _run_step(steps["Fail under 3 points"], repo, env)
    assert policy.returncode == 1 and "under --fail-under 3" in policy.stderr
    passing = platforms.actions_workflow(repo / "easy.yml", fail_under=2)
    assert _run_step(_steps(passing)["Fail under 2 points"], repo, env).returncode == 0
    check_run = steps["Check run with the score"]["run"].splitlines()[0]
    done = _run_step({"run": check_run}, repo, env)
    assert done.returncode == 0, done.stderr
    body = json.loads((repo / "check-run.json").read_text())
    assert body["head_sha"] == "0123abc" and body["output"]["title"] == "ex01-ex02: 2/7.25"
    assert yaml.safe_load(workflow.read_text())["jobs"]["grade"]["env"]["GRADER_LANG"] == "ko"
