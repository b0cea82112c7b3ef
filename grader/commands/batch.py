"""``grader batch``: grade a class, each submission in its own judge process.

SUBMISSIONS holds one folder or ``.zip`` per student, named after the student and laid out like
``exercises/``, or holding notebooks. For each, in id order, the student files
(``grader.commands.submission_files``; a notebook's definitions as a module) are staged into
a temporary folder and graded by ``grader grade`` in a separate process with a wall-time
limit. The results: ``OUT/<id>.json`` (the score report, with a ``submission`` object),
``OUT/gradebook.csv``, ``OUT/summary.html`` and each student's feedback page,
``OUT/feedback/<id>.md`` and ``.html``. A submission that cannot be read, that
runs out of time or whose judge crashes still gets its report and its gradebook row. A rerun
skips a submission whose report was made from the same files, grader and options.
"""

import contextlib
import hashlib
import json
import os
import re
import signal
import sys
import tempfile
import threading
from collections import Counter
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from grader import PACKAGE_DIR, __version__
from grader.catalog import Exercise, exercises
from grader.commands.judge_run import JudgeRun, StoppedError, run_judge
from grader.commands.shards import Shard, ShardRecord, write_record
from grader.commands.submission_files import (
    SKIPPED_FOLDERS,
    SubmissionFiles,
    printable,
    read_submission,
    write_files,
)
from grader.isolation import fork_server
from grader.isolation.policy import sandbox_policy
from grader.judge import grader_runs
from grader.judge.hidden import HiddenSuiteError, load_hidden_suite
from grader.results.class_page import FEEDBACK_FOLDER, write_summary
from grader.results.feedback import feedback_html, feedback_markdown
from grader.results.formats import gradebook_csv, gradebook_row, points_text
from grader.results.model import (
    SUBMISSION_STATUSES,
    ScoreReport,
    SubmissionRecord,
    build_score_report,
    fingerprint,
    read_report,
    write_report,
)
from grader.words import say_in

DEFAULT_WORKERS = 2
DEFAULT_TIMEOUT = 900.0
"""Seconds one submission may take: the whole kit takes well under a minute."""
KILL_GRACE = 60.0
"""Seconds a judge gets past ``--timeout`` before it is killed: at the timeout (its
``--deadline``) it stops the student's call in progress, starts no other check, and writes
its report, in which the checks that ran still count."""
KEPT_STATUSES = ("graded", "timeout")
"""Reports a rerun keeps when nothing changed; errors and unreadable submissions are retried."""
SAFE_ID = re.compile(r"\w[\w.-]{0,63}")
GRADED_EXIT_CODES = (0, int(pytest.ExitCode.NO_TESTS_COLLECTED))
"""``grader grade``'s exit codes after a complete run (no test is collected when the submission
has none of the exercises' files: the report says each is missing)."""
GRADER_SUFFIXES = (".py", ".toml", ".json", ".npz")
"""The grader package's files that decide results: its code, points, messages, golden values."""


@dataclass(frozen=True)
class Settings:
    """How every submission of one batch is graded."""

    submissions: Path
    out: Path
    only: tuple[str, ...] | None = None
    """The exercises to grade (default: all)."""
    lang: str = "en"
    reference: Path | None = None
    hidden_tests: Path | None = None
    timeout: float = DEFAULT_TIMEOUT
    """Seconds one submission's judge may take before its process group is killed."""
    workers: int = DEFAULT_WORKERS
    feedback_hidden: bool = False
    """Show hidden checks' feedback on the students' feedback pages (else only their sum)."""
    shard: Shard | None = None
    """Grade only this shard's students (``grader.commands.shards``); ``out`` is then the
    shard's folder, ``OUT/shards/K``."""

    @property
    def chosen(self) -> list[Exercise]:
        return [e for e in exercises() if self.only is None or e.name in self.only]

    def graded_with(self) -> dict[str, Any]:
        """What a report must have been graded with for a rerun to keep it."""
        return {
            "grader": grader_identity(),
            "hidden_tests": tree_digest(self.hidden_tests) if self.hidden_tests else None,
            "options": {
                "only": list(self.only) if self.only else None,
                "lang": self.lang,
                "reference": tree_digest(self.reference) if self.reference else None,
                "timeout": self.timeout,
            },
        }


@dataclass(frozen=True)
class Entry:
    """One student's folder or zip in SUBMISSIONS."""

    id: str
    name: str
    """The folder's or zip's name as found."""
    path: Path


@dataclass(frozen=True)
class Outcome:
    id: str
    report: ScoreReport
    skipped: bool = False
    """Kept from an earlier run: unchanged since."""

    @property
    def status(self) -> str:
        assert self.report.submission is not None, "a batch's report has its submission"
        return self.report.submission.status


def settings_problem(settings: Settings) -> str:
    """Why a batch cannot run with these settings, or an empty string."""
    if not settings.submissions.is_dir():
        return f"{settings.submissions} is not a folder"
    out, submissions = settings.out.resolve(), settings.submissions.resolve()
    if out == submissions or submissions in out.parents:
        return "--out must not be inside SUBMISSIONS: it would be read as a submission"
    unknown = set(settings.only or ()) - {e.name for e in exercises()}
    if unknown:
        return f"--only: no exercise named {', '.join(sorted(unknown))}"
    if settings.hidden_tests:
        try:
            hidden_points(settings.hidden_tests)
        except HiddenSuiteError as error:
            return f"--hidden-tests: {error}"
    if settings.workers < 1 or settings.timeout <= 0:
        return "--workers must be 1 or more and --timeout more than 0"
    try:
        sandbox_policy(_hidden_folders(settings))
    except ValueError as error:
        return str(error)
    return ""


def student_id(name: str) -> str:
    """The id of a submission named ``name``: the folder's name or the zip's stem when that is
    safe as a file name, else a cleaned form of it with a hash of the original."""
    stem = name[:-4] if name.lower().endswith(".zip") else name
    if SAFE_ID.fullmatch(stem):
        return stem
    cleaned = re.sub(r"[^\w.-]+", "_", stem).strip("._-")[:48] or "student"
    return f"{cleaned}-{_short_hash(name)}"


def _short_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def find_submissions(folder: Path) -> tuple[list[Entry], list[str]]:
    """The submissions in ``folder``, in id order, and the names that are not submissions
    (hidden files, links, anything but a folder or a ``.zip``)."""
    found, others = [], []
    with os.scandir(folder) as scan:
        for item in scan:
            is_zip = item.is_file(follow_symlinks=False) and item.name.lower().endswith(".zip")
            hidden = item.name.startswith(".") or item.name in SKIPPED_FOLDERS
            if not hidden and (is_zip or item.is_dir(follow_symlinks=False)):
                found.append(Entry(student_id(item.name), printable(item.name), Path(item.path)))
            else:
                others.append(printable(item.name))
    twins = {i for i, n in Counter(e.id for e in found).items() if n > 1}
    found = [  # alice/ beside alice.zip: neither is chosen, both are graded, apart
        Entry(f"{e.id}-{_short_hash(e.name)}", e.name, e.path) if e.id in twins else e
        for e in found
    ]
    return sorted(found, key=lambda e: e.id), sorted(others)


def tree_digest(path: Path, suffixes: tuple[str, ...] | None = None) -> str:
    """sha256 over a file, or over a folder's files (names and contents; no links, no caches)."""
    if path.is_file():
        return hashlib.sha256(path.read_bytes()).hexdigest()
    files = {
        p.relative_to(path).as_posix(): p.read_bytes()
        for p in sorted(path.rglob("*"))
        if p.is_file()
        and not p.is_symlink()
        and "__pycache__" not in p.parts
        and (suffixes is None or p.suffix in suffixes)
    }
    return str(fingerprint(files)["sha256"])


@cache
def grader_identity() -> str:
    """The grader's version and a digest of its package: an edited check regrades."""
    return f"{__version__}+{tree_digest(PACKAGE_DIR, GRADER_SUFFIXES)[:16]}"


@cache
def hidden_points(folder: Path) -> dict[str, dict[str, int]]:
    """The points of the hidden suite in ``folder``, checked as ``grader grade`` checks it."""
    return load_hidden_suite(folder).points


def _hidden_folders(settings: Settings) -> list[Path]:
    """What the student's code must not see: the class's work, the results, hidden checks."""
    # The batch's temporary folder holds every student's staged files and the fork server's
    # socket; the judge's own sits inside it.
    results = settings.out.parents[1] if settings.shard else settings.out  # every shard's
    hidden = [settings.submissions, results, Path(tempfile.gettempdir())]
    return [*hidden, *filter(None, [settings.hidden_tests])]


def judge_command(
    staged: Path, report: Path, settings: Settings, staging: Path | None = None
) -> list[str]:
    """``grader grade`` for one staged submission (``staging``: what staging found)."""
    command = [sys.executable, "-m", "grader", "grade", str(staged), "--json", str(report)]
    if staging is not None:
        command += ["--staging", str(staging)]
    command += ["--quiet", "--lang", settings.lang, "--deadline", f"{settings.timeout:g}"]
    for folder in _hidden_folders(settings):
        command += ["--hide", str(folder.resolve())]
    if settings.hidden_tests:
        command += ["--hidden-tests", str(settings.hidden_tests.resolve())]
    if settings.only:
        command += ["--only", ",".join(settings.only)]
    if settings.reference:
        command += ["--reference", str(settings.reference.resolve())]
    else:
        command.append("--no-reference")
    return command


def stand_in_report(
    settings: Settings, files: Mapping[str, bytes], status: str, message: str
) -> ScoreReport:
    """A score report for a submission no judge finished: every check ``status``, no points."""
    chosen = settings.chosen
    return build_score_report(
        {},
        chosen,
        files=files,
        missing={e.name: message for e in chosen},
        missing_status=status,
        reference=str(settings.reference.resolve()) if settings.reference else None,
        hidden=hidden_points(settings.hidden_tests) if settings.hidden_tests else None,
    )


def grade_submission(
    entry: Entry,
    settings: Settings,
    graded_with: Mapping[str, Any],
    judge: Callable[[list[str], Path], JudgeRun],
) -> ScoreReport:
    """Grade one submission; its score report, with its ``submission`` object."""
    taken = read_submission(entry.path, settings.chosen)

    def finished(report: ScoreReport, status: str, message: str = "") -> ScoreReport:
        return with_submission(report, entry, taken, graded_with, status, message, settings.lang)

    if taken.problem:
        message = say_in(settings.lang, "batch.unreadable", problem=taken.problem)
        return finished(stand_in_report(settings, {}, "error", message), "unreadable", message)
    with tempfile.TemporaryDirectory(prefix="grader-batch-", ignore_cleanup_errors=True) as tmp:
        workdir = Path(tmp)
        staged, report_path = workdir / "submission", workdir / "report.json"
        staged.mkdir()
        write_files(taken, staged)
        staging = workdir / "staging.json"
        staging.write_text(json.dumps(taken.found(settings.lang)), encoding="utf-8")
        judged = judge(judge_command(staged, report_path, settings, staging), workdir)
        report = read_report(report_path)
    if judged.timed_out:
        limit = settings.timeout + KILL_GRACE
        message = say_in(settings.lang, "batch.stopped", limit=limit, timeout=settings.timeout)
        stopped = f"stopped after {limit:g} s (--timeout and a grace period)"
        return finished(
            stand_in_report(settings, taken.files, "timeout", message), "timeout", stopped
        )
    expected = fingerprint(taken.files)["sha256"]
    finished_normally = judged.code in GRADED_EXIT_CODES
    if report is not None and finished_normally and report.fingerprint["sha256"] == expected:
        if report.incomplete:  # the judge's own deadline: the checks before it count
            return finished(report, "timeout", f"stopped after {settings.timeout:g} s (--timeout)")
        return finished(report, "graded")
    why = f"the grader ended with exit code {judged.code}"
    reason = "batch.grader_exit"
    if report is None:
        why += " without a valid score report"
        reason = "batch.grader_exit_no_report"
    elif report.fingerprint["sha256"] != expected:
        why, report = "the grader graded other files than the ones staged", None
        reason = "batch.other_files"
    problem = f"{why}. Its last output:\n{judged.output}" if judged.output.strip() else why
    if report is None:  # the students' words: every check of this submission says why
        message = say_in(
            settings.lang, "batch.no_result", why=say_in(settings.lang, reason, code=judged.code)
        )
        report = stand_in_report(settings, taken.files, "error", message)
    return finished(report, "error", problem)


def with_submission(
    report: ScoreReport,
    entry: Entry,
    taken: SubmissionFiles | None,
    graded_with: Mapping[str, Any],
    status: str,
    message: str = "",
    lang: str = "en",
) -> ScoreReport:
    """``report`` with its ``submission`` object (``taken``: what was read, if anything), the
    files left out of the submission and where each exercise's module came from (the judge saw
    only the staged modules)."""
    ignored = tuple(item.to_dict() for item in taken.ignored) if taken else ()
    sources = tuple(taken.sources_list(lang)) if taken else (report.sources or ())
    submission = SubmissionRecord(
        id=entry.id,
        name=entry.name,
        source=taken.source if taken else ("zip" if entry.path.is_file() else "folder"),
        status=status,
        message=message,
        ignored=ignored,
        graded_with=dict(graded_with),
        sources=sources,
    )
    return replace(report, ignored=ignored, sources=sources, submission=submission)


def kept_report(
    entry: Entry, settings: Settings, graded_with: Mapping[str, Any]
) -> ScoreReport | None:
    """The earlier report of ``entry`` when a rerun may keep it: valid, graded (or timed out)
    from the same files, with the same grader, hidden checks and options."""
    report = read_report(settings.out / f"{entry.id}.json")
    if report is None or report.submission is None:
        return None
    submission = report.submission
    if submission.status not in KEPT_STATUSES or submission.graded_with != graded_with:
        return None
    taken = read_submission(entry.path, settings.chosen)
    if taken.problem or report.fingerprint["sha256"] != fingerprint(taken.files)["sha256"]:
        return None
    return report


def _write_atomically(report: ScoreReport, path: Path) -> None:
    partial = path.with_name(f".{path.name}.partial")
    write_report(report, partial)
    os.replace(partial, path)


def run(settings: Settings, console: Console | None = None) -> list[Outcome]:
    """Grade every submission in ``settings.submissions`` and write the batch's files; the
    outcomes in id order (empty when there is no submission)."""
    console = console or Console(stderr=True)
    entries, others = find_submissions(settings.submissions)
    if others:
        left_out = say_in(settings.lang, "batch.not_submissions", names=", ".join(others))
        console.print(left_out, markup=False)
    if not entries:
        return []
    settings.out.mkdir(parents=True, exist_ok=True)
    graded_with = settings.graded_with()
    shard = settings.shard
    if shard is not None:
        everyone = tuple(e.id for e in entries)
        entries = [e for e in entries if shard.holds(e.id)]
        record = ShardRecord(
            shard,
            tuple(e.id for e in entries),
            everyone,
            graded_with,
            settings.feedback_hidden,
            finished=False,
        )
        write_record(record, settings.out)
    outcomes: dict[str, Outcome] = {}
    for entry in entries:
        kept = kept_report(entry, settings, graded_with)
        if kept is not None:
            outcomes[entry.id] = Outcome(entry.id, kept, skipped=True)
    todo = [e for e in entries if e.id not in outcomes]
    if outcomes:
        console.print(say_in(settings.lang, "batch.skipped", count=len(outcomes)))
    outcomes |= _grade_all(todo, settings, graded_with, console)
    ordered = [outcomes[e.id] for e in entries]
    write_class_files(settings.out, ordered, settings.lang, settings.feedback_hidden)
    if shard is not None:
        write_record(replace(record, finished=True), settings.out)
    return ordered


def write_class_files(
    out: Path,
    outcomes: Sequence[Outcome],
    lang: str,
    feedback_hidden: bool,
    unmarked: Sequence[Mapping[str, Any]] = (),
) -> None:
    """``OUT/gradebook.csv``, ``OUT/summary.html`` and the feedback pages of ``outcomes``, in id
    order, the pages in ``lang``; ``grader merge`` writes a sharded class's with this too.
    ``unmarked``: gradebook rows of students no report is there for (a merge's missing
    shards)."""
    rows = [gradebook_row(o.report, o.id) for o in outcomes]
    rows = sorted([*rows, *unmarked], key=lambda row: row["id"])
    (out / "gradebook.csv").write_text(gradebook_csv(rows), encoding="utf-8")
    if outcomes:
        write_summary(out / "summary.html", [(o.id, o.report) for o in outcomes], lang)
    write_feedback(out, outcomes, lang, feedback_hidden)


def write_feedback(out: Path, outcomes: Sequence[Outcome], lang: str, hidden: bool) -> None:
    """``OUT/feedback/<id>.md`` and ``.html``: each student's page, in the batch's language."""
    folder = out / FEEDBACK_FOLDER
    folder.mkdir(exist_ok=True)
    for outcome in outcomes:
        for suffix, page in ((".md", feedback_markdown), (".html", feedback_html)):
            text = page(outcome.report, outcome.id, lang, hidden=hidden)
            (folder / f"{outcome.id}{suffix}").write_text(text, encoding="utf-8")


def _grade_all(
    todo: Sequence[Entry], settings: Settings, graded_with: Mapping[str, Any], console: Console
) -> dict[str, Outcome]:
    """Grade ``todo``, ``settings.workers`` at a time, writing each report as it is done. On
    Ctrl-C or SIGTERM (a scheduler cancelling the job) the running judges are killed; the
    reports written so far stay."""
    outcomes = {}
    stop = threading.Event()
    server = fork_server.running() if todo else contextlib.nullcontext(None)
    with (
        _terminated_as_exception(),
        server as address,
        grader_runs.kept_for_batch() as shared,
        _progress(console) as progress,
    ):

        def judge(command: list[str], workdir: Path) -> JudgeRun:
            limit = settings.timeout + KILL_GRACE
            return run_judge(command, workdir, limit, address=address, stop=stop, shared=shared)

        task = progress.add_task("grading", total=len(todo))
        with ThreadPoolExecutor(settings.workers) as pool:
            futures = {
                pool.submit(_graded_safely, e, settings, graded_with, judge): e for e in todo
            }
            try:
                for future in as_completed(futures):
                    entry, outcome = futures[future], future.result()
                    _write_atomically(outcome.report, settings.out / f"{entry.id}.json")
                    outcomes[entry.id] = outcome
                    if outcome.status != "graded":
                        assert outcome.report.submission is not None
                        message = outcome.report.submission.message.partition("\n")[0]
                        status = f"class_page.submission_status.{outcome.status}"
                        progress.console.print(
                            f"{entry.id}: {say_in(settings.lang, status)}: {message}",
                            markup=False,
                        )
                    progress.advance(task)
            except BaseException:
                stop.set()
                pool.shutdown(cancel_futures=True)
                raise
    return outcomes


class Terminated(BaseException):
    """The batch was sent SIGTERM (a scheduler cancelling its job, ``kill``)."""


@contextlib.contextmanager
def _terminated_as_exception() -> Iterator[None]:
    """While in this block, SIGTERM raises ``Terminated`` in the main thread, as Ctrl-C raises
    KeyboardInterrupt, so that the judges are killed on the way out; by default SIGTERM ends
    this process at once and leaves them running in their own sessions."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def raise_terminated(signum: int, frame: object) -> None:
        raise Terminated

    before = signal.signal(signal.SIGTERM, raise_terminated)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, before)


def _graded_safely(
    entry: Entry,
    settings: Settings,
    graded_with: Mapping[str, Any],
    judge: Callable[[list[str], Path], JudgeRun],
) -> Outcome:
    """``grade_submission``, with an error report when the batch itself fails on it."""
    try:
        return Outcome(entry.id, grade_submission(entry, settings, graded_with, judge))
    except StoppedError:
        raise
    except Exception as error:  # one submission never stops the batch
        problem = f"{type(error).__name__}: {error}"
        message = say_in(settings.lang, "batch.could_not_grade", error=problem)
        report = stand_in_report(settings, {}, "error", message)
        return Outcome(
            entry.id, with_submission(report, entry, None, graded_with, "error", message)
        )


def _progress(console: Console) -> Progress:
    """A progress bar with the time taken and the time left."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
        console=console,
    )


def summary_line(outcomes: Sequence[Outcome], out: Path, lang: str = "en") -> str:
    """One line for the end of a batch, in ``lang``: counts by status, skipped, mean score,
    where."""
    counts = Counter(o.status for o in outcomes)
    statuses = ", ".join(
        say_in(
            lang,
            "batch.status_count",
            count=counts[s],
            status=say_in(lang, f"class_page.submission_status.{s}"),
        )
        for s in SUBMISSION_STATUSES
        if counts[s]
    )
    return say_in(
        lang,
        "batch.summary",
        count=len(outcomes),
        statuses=statuses,
        skipped=sum(o.skipped for o in outcomes),
        mean=f"{sum(o.report.score for o in outcomes) / len(outcomes):.1f}",
        top=points_text(max(o.report.max_score for o in outcomes)),
        gradebook=out / "gradebook.csv",
        page=out / "summary.html",
    )
