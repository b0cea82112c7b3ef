"""Running the grader on autograding platforms: the Gradescope autograder zip and its run
step, PrairieLearn's external-grader step, and the GitHub Actions and Classroom workflows.
Scaling past one machine is the platforms' job: each submission is graded where it is
submitted, by the same ``grader grade``."""

import json
import re
import shutil
import sys
import time
import zipfile
from pathlib import Path

from grader import GRADER_ROOT, PACKAGE_DIR
from grader.commands.grade import grade, weak_isolation_problem
from grader.judge.options import GradingOptions
from grader.results.formats import (
    gradescope_results,
    prairielearn_not_gradable,
    prairielearn_results,
)
from grader.results.late_work import (
    METADATA_FILE,
    SETTINGS_FILE,
    LatePolicy,
    LateWork,
    late_work,
    not_applied,
    with_late_line,
)
from grader.results.model import ScoreReport, load_report
from grader.words import say

TEMPLATES = PACKAGE_DIR / "templates"
KIT_FILES = ("pyproject.toml", "README.md")


HIDDEN_FOLDER = "hidden"
"""Where the autograder zip keeps an instructor's hidden checks (under ``source/``)."""
REFERENCE_FOLDER = "reference"
"""Where it keeps the reference solutions those checks compare with."""


def _add_folder(archive: zipfile.ZipFile, folder: Path, name: str) -> None:
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            archive.write(path, f"{name}/{path.relative_to(folder)}")


def gradescope_zip(
    out: Path,
    *,
    hidden_tests: Path | None = None,
    reference: Path | None = None,
    late: LatePolicy | None = None,
) -> Path:
    """The autograder zip: setup.sh, run_autograder, and the kit (no solutions, no tests).

    With ``hidden_tests``, the zip also holds that suite (``hidden/``) and ``reference``, the
    solutions its checks compare with (``reference/``): the zip stays with the instructor on
    Gradescope, and the sandbox hides both from the student's code while it is graded. With
    ``late``, the late rule (``late_work.json``) that each submission's results apply to the
    times in Gradescope's submission metadata."""
    out.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        if late is not None:
            archive.writestr(SETTINGS_FILE, json.dumps(late.to_dict(), indent=2) + "\n")
        if hidden_tests is not None:
            _add_folder(archive, hidden_tests, HIDDEN_FOLDER)
        if reference is not None:
            _add_folder(archive, reference, REFERENCE_FOLDER)
        for script in ("setup.sh", "run_autograder"):
            info = zipfile.ZipInfo(script)
            info.external_attr = 0o755 << 16
            archive.writestr(info, (TEMPLATES / script).read_text(encoding="utf-8"))
        for name in KIT_FILES:
            archive.write(GRADER_ROOT / name, f"kit/{name}")
        for path in sorted((GRADER_ROOT / "grader").rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                archive.write(path, f"kit/{path.relative_to(GRADER_ROOT)}")
    return out


def classroom_workflow(out: Path) -> Path:
    """The workflow file for a student repository: ``.github/workflows/classroom.yml``."""
    out.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATES / "classroom.yml", out)
    return out


OWN_COPY = "."
"""What the workflow installs when neither ``--kit-url`` nor the ``GRADER_KIT`` variable names
the grader: the student repository's own copy."""
KIT_URL = re.compile(r"[^\s'\",]+")
"""A ``--kit-url`` the workflow can quote (GitHub's expressions and cache keys)."""


def actions_workflow(
    out: Path,
    *,
    fail_under: float | None = None,
    lang: str = "en",
    assignment: str | None = None,
    kit_url: str | None = None,
) -> Path:
    """The GitHub Actions workflow for a student repository (``.github/workflows/grade.yml``):
    install the grader from ``kit_url`` (the grader-only wheel's URL; the ``GRADER_KIT``
    variable wins over it) into a cached environment, grade, write the job summary and
    annotations, post a check run titled with the score, upload the score report, and fail
    the job only when the score is under ``fail_under`` (never, by default). ``ValueError``
    for a ``kit_url`` with spaces, quotes or commas."""
    if kit_url is not None and not KIT_URL.fullmatch(kit_url):
        raise ValueError(f"--kit-url {kit_url!r}: a URL without spaces, quotes or commas")
    text = (TEMPLATES / "grade.yml").read_text(encoding="utf-8").replace("__LANG__", lang)
    text = text.replace("__KIT__", kit_url or OWN_COPY)
    policy = (
        "      - name: Fail under {points} points\n"
        "        run: grader report report.json --format actions-summary --out /dev/null "
        "--fail-under {points}\n"
    )
    text = text.replace("__POLICY__", policy.format(points=f"{fail_under:g}") if fail_under else "")
    text = text.replace(
        "__ASSIGNMENT__", f" --assignment {json.dumps(assignment)}" if assignment else ""
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(text, encoding="utf-8")
    return out


def _instructor_files(folder: Path, allow_weak_isolation: bool) -> tuple[Path, Path, str | None]:
    """Where a platform's folder keeps the hidden checks and the reference solutions (either
    may be absent), and why grading must not run with them here (``weak_isolation_problem``)."""
    hidden_tests, reference = folder / HIDDEN_FOLDER, folder / REFERENCE_FOLDER
    problem = weak_isolation_problem(
        "autograde",
        reference=reference if reference.is_dir() else None,
        hidden_tests=hidden_tests if hidden_tests.is_dir() else None,
        allowed=allow_weak_isolation,
    )
    return hidden_tests, reference, problem


def _graded(
    submission: Path, report_path: Path, hidden_tests: Path, reference: Path
) -> ScoreReport:
    """Grade a platform's submission folder with the hidden checks and reference solutions
    where they exist; its score report (``ReportError`` when the grader wrote none)."""
    options = GradingOptions(
        score_report=report_path,
        hidden_tests=hidden_tests if hidden_tests.is_dir() else None,
        reference=reference if reference.is_dir() else None,
    )
    grade(submission, options.checked(), quiet=True)
    return load_report(report_path)


def gradescope_late_work(root: Path, report: ScoreReport) -> LateWork | None:
    """The late rule of the autograder zip (``root/source/late_work.json``) applied to the
    times in ``root/submission_metadata.json``; None when the zip has no rule. Never raises:
    a rule or metadata that cannot be read takes nothing off, and the note says why."""
    settings = root / "source" / SETTINGS_FILE
    if not settings.exists():
        return None
    try:
        policy = LatePolicy.from_dict(json.loads(settings.read_text(encoding="utf-8")))
    except (OSError, ValueError) as error:
        print(f"grader autograde: {settings}: {error}", file=sys.stderr)
        return not_applied(say("platform.late_bad_settings", error=error))
    metadata = root / METADATA_FILE
    try:
        text = metadata.read_text(encoding="utf-8") if metadata.exists() else None
    except (OSError, UnicodeDecodeError) as error:
        return not_applied(say("platform.late_bad_metadata", file=METADATA_FILE, error=error))
    return late_work(text, policy, report.score, report.max_score)


def autograde_gradescope(root: Path, *, allow_weak_isolation: bool = False) -> int:
    """Grade ``root/submission`` and write ``root/results/results.json``, also when grading
    itself fails (then with score 0 and the reason in its output). Hidden checks and reference
    solutions in the autograder zip (``root/source/hidden``, ``root/source/reference``) are
    used when present; the hidden checks show after the due date. A late rule in the zip adds
    its own test, the penalty for the times in ``root/submission_metadata.json``."""
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    report_path = results / "report.json"
    start = time.monotonic()
    hidden_tests, reference, problem = _instructor_files(root / "source", allow_weak_isolation)
    if problem:  # the platform still gets a results file: no marks, and why
        payload = {"score": 0, "output": problem + " Please tell your instructor.", "tests": []}
        (results / "results.json").write_text(json.dumps(payload, indent=2), encoding="utf-8")
        print(problem, file=sys.stderr)
        return 2
    try:
        report = _graded(root / "submission", report_path, hidden_tests, reference)
        payload = gradescope_results(report)
        late = gradescope_late_work(root, report)
        if late is not None:
            payload = with_late_line(payload, late)
    except Exception as error:  # the platform must always get a results file
        payload = {
            "score": 0,
            "execution_time": round(time.monotonic() - start),
            "output": f"Grading failed: {type(error).__name__}: {error}. "
            "Please tell your instructor.",
            "tests": [],
        }
    (results / "results.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return 0


def unpack(zip_path: Path, folder: Path) -> Path:
    """The zip's contents, extracted into ``folder`` (for tests and for a look inside)."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    return folder


def autograde_prairielearn(root: Path, *, allow_weak_isolation: bool = False) -> int:
    """PrairieLearn's external-grader step: grade ``root/student`` (the files the student
    submitted) and write ``root/results/results.json``. Hidden checks and reference solutions
    in the question's ``tests/`` folder (``root/tests/hidden``, ``root/tests/reference``),
    which PrairieLearn copies in and students never see, are used when present.

    When the kit itself fails (a weak sandbox refused, a crash, no valid report), the results
    say ``gradable: false`` with the reason: the student loses no points and no attempt."""
    results = root / "results"
    results.mkdir(parents=True, exist_ok=True)
    report_path = results / "report.json"
    hidden_tests, reference, problem = _instructor_files(root / "tests", allow_weak_isolation)
    code = 0
    if problem:
        print(problem, file=sys.stderr)
        payload, code = prairielearn_not_gradable(problem), 2
    else:
        try:
            report = _graded(root / "student", report_path, hidden_tests, reference)
            payload = prairielearn_results(report)
        except Exception as error:  # a kit failure is never the student's zero
            payload = prairielearn_not_gradable(f"{type(error).__name__}: {error}")
    (results / "results.json").write_text(
        json.dumps(payload, indent=2, ensure_ascii=False), encoding="utf-8"
    )
    return code
