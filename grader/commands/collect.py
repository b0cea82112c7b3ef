"""``grader collect actions OWNER/REPO...``: the score reports that students' GitHub Actions
runs uploaded, made into the files one ``grader batch`` writes.

For each repository: its latest completed run of the grading workflow
(``GET /repos/{owner}/{repo}/actions/workflows/{workflow}/runs?status=completed&per_page=1``),
that run's ``score-report`` artifact (``GET .../actions/runs/{run_id}/artifacts``), the
artifact's zip (``GET .../actions/artifacts/{artifact_id}/zip``, a redirect to storage that is
followed without the token: ``grader.commands.github_api``), and the score report inside it,
validated by the result model. The zip is read in memory, never extracted, within limits
(``MAX_ARTIFACT_BYTES``, ``MAX_ENTRIES``, ``MAX_REPORT_BYTES``).

The results: ``OUT/<id>.json`` (the report as the workflow wrote it), ``OUT/gradebook.csv``,
``OUT/summary.html`` and the feedback pages (``batch.write_class_files``), with
``OWNER.REPO`` as the student's id, and ``OUT/collected.csv``: each repository's status, why,
and the run and artifact it was read from. A repository without a report gets a gradebook row
whose status says why (``STATUSES``). After a rate limit or a refused token no other
repository is asked: each is marked with the same status.

A collected score is what the student's repository's workflow reported: the student can edit
that workflow. For marks that count, grade the repositories' files with ``grader batch``.
"""

import csv
import hashlib
import io
import json
import re
import urllib.parse
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import Any

import jsonschema

from grader.commands.batch import Outcome, student_id, write_class_files
from grader.commands.github_api import KINDS, ApiError, GitHubApi, TooLargeError
from grader.results.actions import ARTIFACT_NAME, REPORT_FILE
from grader.results.formats import gradebook_row, grading_status, points_text
from grader.results.model import ScoreReport, write_report

DEFAULT_WORKFLOW = "grade.yml"
"""The workflow ``grader export actions`` writes (``.github/workflows/grade.yml``)."""
TOKEN_VARIABLE = "GITHUB_TOKEN"
MAX_ARTIFACT_BYTES = 16 * 2**20
"""The largest artifact zip downloaded: a score report zips to a few kilobytes."""
MAX_ENTRIES = 100
MAX_REPORT_BYTES = 4 * 2**20
"""The largest score report read out of the zip (the whole kit's report is about 100 kB)."""
COLLECTED_FILE = "collected.csv"
FEEDBACK = (".md", ".html")
"""The suffixes of a student's feedback pages, ``OUT/feedback/<id>.md`` and ``.html``."""

NO_RUN = "no run"
"""No completed run of the workflow, or no such workflow in the repository."""
NO_ARTIFACT = "no artifact"
"""The latest completed run uploaded no score report, or it has expired."""
BAD_ARTIFACT = "bad artifact"
"""The artifact is not a zip holding one valid score report within the limits."""
STATUSES = ("graded", "timeout", NO_RUN, NO_ARTIFACT, BAD_ARTIFACT, *KINDS)
"""A repository's status in the gradebook: ``graded`` or ``timeout`` (the report's own), else
why there is no report (``KINDS``: the API call that failed)."""
STOPPING = ("rate limited", "unauthorized")
"""Failures that no other repository would escape: the rest are not asked."""
REPOSITORY = re.compile(r"(?P<owner>[A-Za-z0-9][A-Za-z0-9-]{0,38})/(?P<name>[A-Za-z0-9._-]{1,100})")
"""``OWNER/REPO`` as GitHub allows them."""


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str

    @property
    def full_name(self) -> str:
        return f"{self.owner}/{self.name}"

    @property
    def id(self) -> str:
        """The student's id: ``OWNER.REPO`` (an owner's name has no dot), shortened with a
        hash when it is too long for a file name."""
        return student_id(f"{self.owner}.{self.name}")


def parse_repository(text: str) -> Repository:
    """``OWNER/REPO``, also written as ``https://github.com/OWNER/REPO`` or with ``.git``;
    ``ValueError`` otherwise."""
    name = text.strip().removesuffix("/").removesuffix(".git")
    if "://" in name:
        name = urllib.parse.urlsplit(name).path.strip("/")
    found = REPOSITORY.fullmatch(name)
    if found is None or found["name"] in (".", ".."):
        raise ValueError(f"{text!r} is not a repository's name (OWNER/REPO)")
    return Repository(found["owner"], found["name"])


def read_repositories(names: Iterable[str], files: Iterable[Path] = ()) -> list[Repository]:
    """The repositories named in ``names`` and in ``files`` (one a line; blank lines and
    ``#`` comments skipped), each once (GitHub's names ignore case), in the order given.
    ``ValueError`` naming every line that is not a repository's name."""
    given = [(name, "the command line") for name in names]
    for path in files:
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            line = line.split("#", 1)[0].strip()
            if line:
                given.append((line, f"{path}, line {number}"))
    found, problems, seen = [], [], set()
    for text, where in given:
        try:
            repository = parse_repository(text)
        except ValueError as error:
            problems.append(f"{where}: {error}")
            continue
        if repository.full_name.lower() not in seen:
            seen.add(repository.full_name.lower())
            found.append(repository)
    if problems:
        raise ValueError("; ".join(problems))
    return found


@dataclass(frozen=True)
class Collected:
    """What became of one repository."""

    repository: Repository
    status: str
    """One of ``STATUSES``."""
    message: str = ""
    report: ScoreReport | None = None
    run: Mapping[str, Any] | None = None
    """The workflow run read (``id``, ``html_url``, ``head_sha``, ``created_at``,
    ``conclusion``)."""
    artifact_id: int | None = None


class ArtifactError(ValueError):
    """An artifact zip that does not hold one valid score report, with why."""


def _safe_name(name: str) -> bool:
    path = PurePosixPath(name)
    return not (
        "\\" in name or path.is_absolute() or ".." in path.parts or re.match(r"[A-Za-z]:", name)
    )


def report_from_zip(data: bytes) -> ScoreReport:
    """The score report in an artifact's zip (``REPORT_FILE`` at its root), read in memory
    within the limits; ``ArtifactError`` saying why when there is none."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            entries = archive.infolist()
            if len(entries) > MAX_ENTRIES:
                raise ArtifactError(f"the zip holds {len(entries)} files (at most {MAX_ENTRIES})")
            unsafe = [e.filename for e in entries if not _safe_name(e.filename)]
            if unsafe:
                raise ArtifactError(f"the zip holds paths outside itself: {unsafe[:5]}")
            entry = next((e for e in entries if e.filename == REPORT_FILE), None)
            if entry is None:
                names = ", ".join(e.filename for e in entries[:10]) or "nothing"
                raise ArtifactError(f"the zip holds no {REPORT_FILE} (it holds {names})")
            if entry.flag_bits & 0x1:
                raise ArtifactError(f"{REPORT_FILE} is encrypted")
            if entry.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
                raise ArtifactError(
                    f"{REPORT_FILE} is compressed with method {entry.compress_type} (the upload "
                    "action stores or deflates it)"
                )
            if entry.file_size > MAX_REPORT_BYTES:
                raise ArtifactError(
                    f"{REPORT_FILE} is {entry.file_size} bytes (at most {MAX_REPORT_BYTES})"
                )
            with archive.open(entry) as file:
                text = file.read(MAX_REPORT_BYTES + 1)
    except ArtifactError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError) as error:
        raise ArtifactError(f"not a readable zip: {error}") from None
    except NotImplementedError as error:  # a compression method zipfile does not know
        raise ArtifactError(f"not a readable zip: {error}") from None
    if len(text) > MAX_REPORT_BYTES:
        raise ArtifactError(f"{REPORT_FILE} is over {MAX_REPORT_BYTES} bytes")
    try:
        data = json.loads(text.decode("utf-8"))
        if not isinstance(data, dict):
            raise ArtifactError(f"{REPORT_FILE} is not a score report: not a JSON object")
        report = ScoreReport.from_dict(data)
    except ArtifactError:
        raise
    except jsonschema.ValidationError as error:
        raise ArtifactError(f"{REPORT_FILE} is not a score report: {error.message}") from None
    except Exception as error:  # ValueError, OverflowError (a number of 400 digits), ...
        raise ArtifactError(
            f"{REPORT_FILE} is not a score report: {type(error).__name__}: {error}"
        ) from None
    return replace(report, submission=None)  # the status is the grading's, not the file's


def _items(answer: Any, key: str, what: str) -> list[Mapping[str, Any]]:
    items = answer.get(key) if isinstance(answer, dict) else None
    if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
        raise ApiError("api error", f"the answer listing {what} has no list {key!r}")
    return items


def _latest_run(api: GitHubApi, repository: Repository, workflow: str) -> Mapping[str, Any]:
    """The latest completed run of ``workflow``; ``ApiError`` (or ``LookupError``: none)."""
    path = f"/repos/{repository.full_name}/actions/workflows/{urllib.parse.quote(workflow)}/runs"
    try:
        answer = api.get_json(path, status="completed", per_page=1, exclude_pull_requests="true")
    except ApiError as error:
        if error.kind != "not found":
            raise
        try:  # the workflow or the repository itself?
            api.get_json(f"/repos/{repository.full_name}")
        except ApiError as missing:
            if missing.kind == "not found":
                missing.message = (
                    f"no repository {repository.full_name} that the token can read ({missing})"
                )
            raise missing from None
        raise LookupError(
            f"no workflow {workflow} in {repository.full_name} (commit the one "
            "`grader export actions` writes to .github/workflows/)"
        ) from None
    runs = _items(answer, "workflow_runs", "workflow runs")
    if not runs or not isinstance(runs[0].get("id"), int):
        raise LookupError(f"no completed run of {workflow} in {repository.full_name} yet")
    return runs[0]


def _describe(run: Mapping[str, Any]) -> str:
    return f"run {run['id']} ({run.get('conclusion')}, {run.get('html_url', 'no address')})"


def collect_one(api: GitHubApi, repository: Repository, workflow: str) -> Collected:
    """What the latest completed run of ``workflow`` in ``repository`` reported."""
    full = repository.full_name
    try:
        run = _latest_run(api, repository, workflow)
    except LookupError as error:
        return Collected(repository, NO_RUN, str(error))
    except ApiError as error:
        return Collected(repository, error.kind, str(error))
    kept = {k: run.get(k) for k in ("id", "html_url", "head_sha", "created_at", "conclusion")}

    def without(status: str, message: str, artifact_id: int | None = None) -> Collected:
        return Collected(repository, status, message, run=kept, artifact_id=artifact_id)

    try:
        answer = api.get_json(
            f"/repos/{full}/actions/runs/{run['id']}/artifacts", name=ARTIFACT_NAME, per_page=100
        )
        named = [
            a
            for a in _items(answer, "artifacts", "artifacts")
            if a.get("name") == ARTIFACT_NAME and isinstance(a.get("id"), int)
        ]
        if not named:
            return without(NO_ARTIFACT, f"{_describe(run)} uploaded no {ARTIFACT_NAME} artifact")
        live = [a for a in named if not a.get("expired")]
        if not live:
            expired = named[0].get("expires_at", "")
            return without(
                NO_ARTIFACT, f"the {ARTIFACT_NAME} artifact of {_describe(run)} expired {expired}"
            )
        artifact = live[0]
        where = f"the {ARTIFACT_NAME} artifact {artifact['id']} of {_describe(run)}"
        size = artifact.get("size_in_bytes")
        if isinstance(size, int) and size > MAX_ARTIFACT_BYTES:
            return without(
                BAD_ARTIFACT,
                f"{where} is {size} bytes (at most {MAX_ARTIFACT_BYTES})",
                artifact["id"],
            )
        data = api.download(
            f"/repos/{full}/actions/artifacts/{artifact['id']}/zip", MAX_ARTIFACT_BYTES
        )
    except TooLargeError as error:
        return without(BAD_ARTIFACT, f"the {ARTIFACT_NAME} artifact of {_describe(run)}: {error}")
    except ApiError as error:
        if error.status == 410:  # expired since it was listed
            return without(NO_ARTIFACT, f"{where} has expired ({error})", artifact["id"])
        return without(error.kind, str(error))
    digest = str(artifact.get("digest") or "")
    if digest.startswith("sha256:") and digest[7:] != hashlib.sha256(data).hexdigest():
        received = hashlib.sha256(data).hexdigest()
        return without(
            BAD_ARTIFACT,
            f"{where}: the zip's sha256 is {received}, the API gives {digest[7:]}",
            artifact["id"],
        )
    try:
        report = report_from_zip(data)
    except ArtifactError as error:
        return without(BAD_ARTIFACT, f"{where}: {error}", artifact["id"])
    return Collected(
        repository, grading_status(report), "", report, run=kept, artifact_id=artifact["id"]
    )


def collect(
    api: GitHubApi,
    repositories: Sequence[Repository],
    workflow: str = DEFAULT_WORKFLOW,
    each: Callable[[Collected], None] | None = None,
) -> list[Collected]:
    """Each repository's ``Collected``, in the order given (``each`` is called with each as
    it comes). After a rate limit or a refused token the rest are not asked (``STOPPING``):
    each gets that status and why."""
    found: list[Collected] = []
    for repository in repositories:
        stopped = next((c for c in found if c.status in STOPPING), None)
        if stopped is not None:
            item = Collected(repository, stopped.status, f"not asked: {stopped.message}")
        else:
            item = collect_one(api, repository, workflow)
        found.append(item)
        if each is not None:
            each(item)
    return found


def progress_line(item: Collected) -> str:
    """``OWNER/REPO: graded, 73/100`` or ``OWNER/REPO: no run: why``."""
    if item.report is not None:
        score = f"{points_text(item.report.score)}/{points_text(item.report.max_score)}"
        return f"{item.repository.full_name}: {item.status}, {score}"
    return f"{item.repository.full_name}: {item.status}: {item.message}"


def write_results(out: Path, collected: Sequence[Collected], lang: str = "en") -> None:
    """``OUT/<id>.json`` for each report, ``OUT/gradebook.csv`` (a row for every repository),
    ``OUT/summary.html`` and the feedback pages (as ``grader batch`` writes them), and
    ``OUT/collected.csv``. The report and pages of a repository that has none this time are
    removed, so that ``OUT`` says what this collection found."""
    out.mkdir(parents=True, exist_ok=True)
    outcomes = []
    for item in collected:
        student = item.repository.id
        if item.report is not None:
            write_report(item.report, out / f"{student}.json")
            outcomes.append(Outcome(student, item.report))
            continue
        stale = [out / f"{student}.json", *(out / "feedback" / f"{student}{s}" for s in FEEDBACK)]
        for path in stale:
            path.unlink(missing_ok=True)
    template = {key: "" for key in gradebook_row(outcomes[0].report, "")} if outcomes else {}
    unmarked = [
        template | {"id": item.repository.id, "status": item.status}
        for item in collected
        if item.report is None
    ]
    outcomes.sort(key=lambda outcome: outcome.id)
    write_class_files(out, outcomes, lang, False, unmarked)
    (out / COLLECTED_FILE).write_text(collected_csv(collected), encoding="utf-8")


def collected_csv(collected: Sequence[Collected]) -> str:
    """One row a repository: its id, status, score, why, and the run and artifact read."""
    buffer = io.StringIO()
    columns = ["repository", "id", "status", "score", "max", "message"]
    columns += ["run_id", "run_url", "head_sha", "run_created_at", "artifact_id"]
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for item in collected:
        run = item.run or {}
        report = item.report
        writer.writerow(
            [
                item.repository.full_name,
                item.repository.id,
                item.status,
                points_text(report.score) if report else "",
                points_text(report.max_score) if report else "",
                item.message,
                run.get("id", ""),
                run.get("html_url", ""),
                run.get("head_sha", ""),
                run.get("created_at", ""),
                item.artifact_id or "",
            ]
        )
    return buffer.getvalue()


def summary_line(collected: Sequence[Collected], out: Path) -> str:
    """One line for the end: counts by status, the mean score of the reports, where."""
    counts = Counter(item.status for item in collected)
    statuses = ", ".join(f"{counts[s]} {s}" for s in STATUSES if counts[s])
    reports = [item.report for item in collected if item.report is not None]
    mean = (
        f"mean score {sum(r.score for r in reports) / len(reports):.1f} / "
        f"{max(r.max_score for r in reports):g}; "
        if reports
        else "no score report; "
    )
    return (
        f"{len(collected)} repositories: {statuses}; {mean}wrote {out / 'gradebook.csv'}"
        + (f" and {out / 'summary.html'}" if reports else "")
        + f" ({out / COLLECTED_FILE}: each repository's run and why)"
    )
