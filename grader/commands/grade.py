"""Grading one submission folder laid out like ``exercises/``: ``grader grade DIR``.

Only the student files the exercises define are copied into a fresh folder (an exercise
handed in as a notebook: the module of its definitions, never the notebook), so nothing
else in the submission (a ``conftest.py``, test files, a ``pytest.ini``) reaches pytest. They
are found as ``grader batch`` finds them (``grader.commands.submission_files``: never in a
``.venv``, ``site-packages`` or cache folder), and the report's ``ignored`` lists the rest.
The checks run in this process and the student's code in child processes, walled in by
``grader.isolation.sandbox``: they cannot see the kit's solutions, the reference, or the folders
given in ``hide``.
"""

import os
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from grader.catalog import KIT_SOLUTIONS, Exercise, exercises
from grader.commands.submission_files import SubmissionFiles, read_submission, write_files
from grader.isolation.policy import sandbox_policy
from grader.isolation.sandbox import POLICY_VARIABLE, hiding_layers
from grader.judge.options import GradingOptions, HandedOptions
from grader.words import language

PYTEST_INI = """[pytest]
addopts = --strict-markers --strict-config -p no:cacheprovider
"""


class UnreadableSubmissionError(Exception):
    """The submission cannot be read at all (a folder that cannot be listed, too many files)."""


def stage(submission: Path, workdir: Path, chosen: list[Exercise]) -> SubmissionFiles:
    """Copy the submission's student files into ``workdir``, found by the one rule of
    ``grader.commands.submission_files`` (the rule ``grader batch`` follows too); what was
    taken, and what was left out with the reason."""
    taken = read_submission(submission, chosen)
    if taken.problem:
        raise UnreadableSubmissionError(f"{submission} cannot be read: {taken.problem}")
    write_files(taken, workdir)
    (workdir / "pytest.ini").write_text(PYTEST_INI, encoding="utf-8")
    return taken


def default_reference() -> Path | None:
    return KIT_SOLUTIONS if KIT_SOLUTIONS.is_dir() else None


ALLOW_WEAK = "--allow-weak-isolation"


def weak_isolation_problem(
    command: str, *, reference: Path | None, hidden_tests: Path | None, allowed: bool
) -> str | None:
    """Why ``grader <command>`` must not run: marks that can be stolen (a reference or hidden
    checks, and no layer of this machine's to hide them from student code); None if it may."""
    if allowed or (reference is None and hidden_tests is None):
        return None
    if hiding_layers(sandbox_policy([])):
        return None
    given = {"reference solutions": reference, "hidden checks": hidden_tests}
    secret = " and ".join(what for what, path in given.items() if path)
    return (
        f"grader {command}: nothing on this machine hides the {secret} from students' code "
        "(no user namespaces, no Landlock, and not running as root), so a submission could "
        "read them and take full marks. Run `grader doctor` to see what is missing and the "
        f"setting that enables it, or pass {ALLOW_WEAK} to grade anyway (every report and "
        "the summary then say the isolation was weak)."
    )


def grade(
    submission: Path,
    options: GradingOptions,
    *,
    quiet: bool = False,
    only: list[str] | None = None,
    hide: Sequence[Path] = (),
    staging: Mapping[str, Any] | None = None,
) -> int:
    """Grade ``submission`` as ``options`` say and write its score report to
    ``options.score_report``.

    Args:
        options: the run's options (``grader.judge.options``): the report's path, the
            reference, the hidden checks, the language, the deadline; ``expect_exercises`` and
            ``ignored`` are set here, from what is graded and what staging left out.
        only: names of the exercises to grade (default: all).
        hide: folders the student's code must not see, besides the kit's solutions and the
            reference (``grader batch`` adds the submissions and its output folder).
        staging: what staging found when ``submission`` was staged from a student's upload
            (``SubmissionFiles.found``), when it was not staged here: ``grader batch`` stages
            every submission itself, notebooks included, and its judge sees only the result.

    Returns pytest's exit code: 0 when every check passed, 1 when some did not, anything else
    when grading itself could not run. Raises ``UnreadableSubmissionError`` when the
    submission cannot be read at all.
    """
    chosen = [e for e in exercises() if only is None or e.name in only]
    assert options.score_report is not None, "grader grade always names its report"
    # An installed grader (a wheel, a container) has no solutions/ beside it to hide.
    secrets = [default_reference(), options.reference, options.hidden_tests]
    hidden = [*filter(None, secrets), *hide]
    before = os.environ.get(POLICY_VARIABLE)
    os.environ[POLICY_VARIABLE] = sandbox_policy(hidden).to_json()  # for the judge's children
    try:
        return _grade_staged(submission, options, quiet, chosen, staging)
    finally:  # a caller in this process (autograde, a notebook's kernel) gets its own back
        if before is None:
            os.environ.pop(POLICY_VARIABLE, None)
        else:
            os.environ[POLICY_VARIABLE] = before


def _grade_staged(
    submission: Path,
    options: GradingOptions,
    quiet: bool,
    chosen: list[Exercise],
    staging: Mapping[str, Any] | None,
) -> int:
    """``grade``'s run once the policy is set: stage the submission, then pytest."""
    assert options.score_report is not None
    with tempfile.TemporaryDirectory(prefix="grader-submission-") as tmp:
        workdir = Path(tmp)
        taken = stage(submission, workdir, chosen)
        found = staging or taken.found(options.lang or language())
        run = replace(
            options,
            score_report=options.score_report.resolve(),
            expect_exercises=tuple(e.name for e in chosen),
            ignored=tuple(found["ignored"]),
            sources=tuple(found["sources"]),
            missing_reasons=dict(found["missing_reasons"]),
        )
        args = [
            str(workdir),
            f"--rootdir={workdir}",
            *(["-qq", "--tb=no", "-rN"] if quiet else ["--tb=short"]),
            # This process imported the grader before pytest could rewrite its asserts;
            # the checks raise Verdicts and do not rely on assert rewriting.
            "-Wignore::pytest.PytestAssertRewriteWarning",
        ]
        return int(pytest.main(args, plugins=[HandedOptions(run)]))
