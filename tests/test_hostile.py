"""Hostile submissions (tests/hostile/, listed in its manifest.toml) cannot raise their score,
stop the batch, reach what they must not see, or leave anything running.

One ``grader batch`` grades every entry beside two honest copies of solutions/ (a folder that
sorts first and a zip that sorts last), with the example hidden checks and with TMPDIR outside
the usual temporary folders, as on a cluster whose TMPDIR is scratch space (a second, smaller
batch regrades some entries with TMPDIR under /tmp). Each entry is a reference solution with
one attack added, so its honest score is known: where the attack worked it earns more (a leak
or a missing limit is turned into points), and where the batch gave up on it it earns less.
Linux only: the sandbox is made of Linux namespaces.
"""

import contextlib
import csv
import ctypes
import hashlib
import json
import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import threading
import time
import tomllib
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from kit import ROOT, SOLUTIONS

from grader.catalog import exercise, exercises
from grader.isolation.layers import landlock_abi
from grader.results.model import validate

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="the sandbox is made of Linux namespaces"
)

HOSTILE = Path(__file__).resolve().parent / "hostile"
HIDDEN_EXAMPLE = ROOT / "grader" / "hidden_example"
WORKERS = 2
TIMEOUT = 60
"""Seconds per submission (--timeout): an honest one takes a few, memory_spread's import 10-30."""
HONEST_FIRST, HONEST_LAST = "000-honest-first", "zzz-honest-last"
AS_ALLOWED, USERNS_BLOCKED = "as-allowed", "userns-blocked"
LEVELS = (AS_ALLOWED, USERNS_BLOCKED)
BLOCKED = Path(__file__).resolve().parent / "blocked_userns.py"
HONEST_EXERCISES = ("ex01_activations", "ex02_losses", "ex03_optimizers")
"""The NumPy exercises: what the honest submissions hold (no TensorFlow, so the batch is quick)."""
MARKERS = ("HOSTILE-FORGERY", "HOSTILE-SHADOW", "HOSTILE-CONFTEST")
"""Words only a forged report, a planted module or a loaded conftest writes."""
ESCAPED = "hostile-escaped"
"""The start of the names of the files a zip tries to write outside its submission."""
DISK_LIMIT = 2**30
"""Each sandbox may hold 256 MiB in its folders; its supervisor checks 10 times a second, so a
fast writer can overshoot by what it writes in a tenth of a second, and two run at once."""
"""Bytes the batch may add to the test's folders at any moment: what two judges write fits, a
zip bomb unpacked or the disk filler's 1.5 GiB does not."""
REGRADED = (
    "os_exit",
    "memory_bomb",
    "monkeypatch_grader",
    "lying_objects",
    "copy_classmate",
    "symlink_dir",
    "zip_links",
    "not_utf8",
)
"""Entries graded a second time, under other ids, one at a time."""
_PR_SET_CHILD_SUBREAPER = 36


def scratch_folder() -> Path:
    """Where the first batch's TMPDIR goes: outside /tmp, /var/tmp and /dev/shm, which every
    sandbox replaces with its own. ``GRADER_TEST_SCRATCH`` chooses it."""
    chosen = os.environ.get("GRADER_TEST_SCRATCH")
    return Path(chosen) if chosen else Path.home() / ".cache" / "dl-grader-kit-tests"


def other_course_file(root: Path) -> Path:
    """A file the grading machine keeps outside every folder the kit hides: another course's
    in /opt or /var/cache where this user may write there (else beside the test's folders)."""
    for folder in (Path("/opt"), Path("/var/cache"), root):
        if os.access(folder, os.W_OK):
            secret = Path(tempfile.mkdtemp(prefix="other-course-", dir=folder)) / "answers.txt"
            secret.write_text("HOSTILE-SECRET\n", encoding="utf-8")
            secret.parent.chmod(0o755)
            return secret
    return root / "answers.txt"


@dataclass(frozen=True)
class HostileEntry:
    """One hostile submission of the manifest."""

    name: str
    attack: str
    max_score: int
    min_score: int
    words: tuple[str, ...]
    exercise: str = "ex01_activations"
    base: str = "solution"
    honest: tuple[str, ...] = ()
    links: dict[str, str] = field(default_factory=dict)
    zip: str = ""
    known_hole: str = ""
    """An attack that still wins, and why: its checks are expected to fail (strictly, so
    that closing the hole shows)."""
    limit_race: str = ""
    """Why two limits race for this attack (time and memory: which one stops it first depends
    on how fast the machine hands out memory at that moment). A regrade must give it the same
    points, check by check; the statuses may differ (timeout, or an error for memory, and what
    follows from each)."""

    @classmethod
    def read(cls, name: str, table: dict[str, Any]) -> "HostileEntry":
        fields = {**table, "words": tuple(table["words"]), "honest": tuple(table.get("honest", ()))}
        return cls(name=name, **fields)

    @property
    def folder(self) -> Path:
        return HOSTILE / self.name


def manifest() -> list[HostileEntry]:
    with (HOSTILE / "manifest.toml").open("rb") as f:
        return [HostileEntry.read(name, table) for name, table in tomllib.load(f).items()]


ENTRIES = manifest()
BY_NAME = {e.name: e for e in ENTRIES}


# Building the submissions


def _fill(content: bytes, places: dict[str, str]) -> bytes:
    for key, value in places.items():
        content = content.replace(f"@@{key}@@".encode(), value.encode())
    return content


def entry_files(entry: HostileEntry, places: dict[str, str]) -> dict[str, bytes]:
    """The entry's regular files by path in the submission: its own files (a module fragment
    after its exercise's reference solution) and its honest exercises' solutions."""
    files = {}
    if entry.folder.is_dir():
        for path in sorted(entry.folder.rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                files[path.relative_to(entry.folder).as_posix()] = _fill(path.read_bytes(), places)
    if entry.base == "solution":
        module = exercise(entry.exercise).relative_path
        files[module] = (SOLUTIONS / module).read_bytes() + b"\n\n" + files[module]
    for name in entry.honest:
        files[exercise(name).relative_path] = (
            SOLUTIONS / exercise(name).relative_path
        ).read_bytes()
    return files


def _zip_link(archive: zipfile.ZipFile, name: str, target: str) -> None:
    info = zipfile.ZipInfo(name)
    info.create_system = 3  # Unix: the mode bits say "symbolic link"
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    archive.writestr(info, target)


def _zip_zeros(archive: zipfile.ZipFile, name: str, size: int) -> None:
    chunk = bytes(2**20)
    with archive.open(name, "w", force_zip64=True) as member:
        for _ in range(size // len(chunk)):
            member.write(chunk)


def _links_members(archive: zipfile.ZipFile, submission_id: str, places: dict[str, str]) -> None:
    """A linked activations.py, paths that climb out or start at /, and a linked folder with a
    member to be written through it."""
    _zip_link(
        archive,
        "ex01_activations/activations.py",
        str(SOLUTIONS / "ex01_activations" / "activations.py"),
    )
    escape = f"print('{ESCAPED}')\n"
    archive.writestr(f"../{ESCAPED}-{submission_id}.py", escape)
    archive.writestr(f"ex03_optimizers/../../../{ESCAPED}-{submission_id}-deep.py", escape)
    archive.writestr(f"/tmp/{ESCAPED}-{submission_id}-absolute.py", escape)
    archive.writestr(f"..\\..\\{ESCAPED}-{submission_id}-backslash.py", escape)
    _zip_link(archive, "ex03_optimizers", places["OUT"])
    archive.writestr(f"ex03_optimizers/{ESCAPED}-{submission_id}-through-link.json", escape)


def _bomb_members(archive: zipfile.ZipFile, submission_id: str, places: dict[str, str]) -> None:
    """Four members of 280 MiB of zeros: 1.2 GB declared, about 1.2 MB stored."""
    for i in range(4):
        _zip_zeros(archive, f"data/zeros-{i}.bin", 280 * 2**20)


def _big_member(archive: zipfile.ZipFile, submission_id: str, places: dict[str, str]) -> None:
    """activations.py: the reference solution, then 400 MiB of comment lines."""
    with archive.open("ex01_activations/activations.py", "w") as member:
        member.write((SOLUTIONS / "ex01_activations" / "activations.py").read_bytes())
        line = b"#" * 1023 + b"\n"
        for _ in range(400):
            member.write(line * 1024)


ZIP_MEMBERS = {"links": _links_members, "bomb": _bomb_members, "big_member": _big_member}


def build_submission(
    entry: HostileEntry, submissions: Path, submission_id: str, places: dict[str, str]
) -> Path:
    """The entry as a folder (or a zip) named ``submission_id`` in ``submissions``."""
    places = {**places, "ID": submission_id}
    files = entry_files(entry, places)
    if entry.zip:
        path = submissions / f"{submission_id}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
            ZIP_MEMBERS[entry.zip](archive, submission_id, places)
        return path
    folder = submissions / submission_id
    for name, content in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(content)
    folder.mkdir(exist_ok=True)
    for name, target in entry.links.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).symlink_to(ROOT / target)
    return folder


def build_honest(submissions: Path, submission_id: str, *, as_zip: bool) -> Path:
    files = {
        exercise(name).relative_path: (SOLUTIONS / exercise(name).relative_path).read_bytes()
        for name in HONEST_EXERCISES
    }
    if as_zip:
        path = submissions / f"{submission_id}.zip"
        with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, content in files.items():
                archive.writestr(name, content)
        return path
    for name, content in files.items():
        (submissions / submission_id / name).parent.mkdir(parents=True, exist_ok=True)
        (submissions / submission_id / name).write_bytes(content)
    return submissions / submission_id


def submitted_files(path: Path) -> dict[str, bytes]:
    """The regular files of a folder (no links, nothing under a link) or a zip (no link
    members), by path: what a report's fingerprint may name."""
    if path.is_file():
        with zipfile.ZipFile(path) as archive:
            return {
                info.filename: archive.read(info)
                for info in archive.infolist()
                if not stat.S_ISLNK(info.external_attr >> 16)
                and info.file_size <= 2**20
                and not info.is_dir()
            }
    files = {}
    for folder, names, filenames in os.walk(path):  # os.walk does not follow links
        for name in filenames:
            full = Path(folder) / name
            if not full.is_symlink():
                files[full.relative_to(path).as_posix()] = full.read_bytes()
        names[:] = [n for n in names if not (Path(folder) / n).is_symlink()]
    return files


# Watching the batch: processes, disk, network


def _processes() -> dict[int, tuple[int, str]]:
    """Every process: pid -> (parent pid, state)."""
    found = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                text = Path(entry.path, "stat").read_text()
            except OSError:
                continue
            state, parent = text.rpartition(")")[2].split()[:2]
            found[int(entry.name)] = (int(parent), state)
    return found


def _describe(pid: int) -> str:
    try:
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        command = "?"
    return f"{pid}: {command.strip()[:200]}"


def _mentions(pid: int, folders: list[Path]) -> bool:
    """Whether the process runs in, or names, one of the test's folders."""
    with contextlib.suppress(OSError):
        command = Path(f"/proc/{pid}/cmdline").read_bytes()
        cwd = os.readlink(f"/proc/{pid}/cwd")
        environment = Path(f"/proc/{pid}/environ").read_bytes()
        for folder in folders:
            needle = str(folder).encode()
            if needle in command or needle in environment or cwd.startswith(str(folder)):
                return True
    return False


class ProcessWatch:
    """Every process the batch leaves behind. While it runs, this process is a child subreaper:
    whatever the batch starts and orphans (a double fork, setsid) becomes this process's child
    instead of init's, so it can be found, and killed, afterwards."""

    def __init__(self, folders: list[Path]):
        self.folders = folders
        self.left: list[str] = []
        self._libc = ctypes.CDLL(None, use_errno=True)

    def __enter__(self) -> "ProcessWatch":
        self._libc.prctl(_PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
        self._before = set(_processes())
        return self

    def leftovers(self) -> list[int]:
        """New live processes that descend from this one or run in the test's folder."""
        now = _processes()
        new = {pid for pid, (_, state) in now.items() if pid not in self._before and state != "Z"}
        me = os.getpid()

        def descends(pid: int) -> bool:
            for _ in range(64):
                pid = now.get(pid, (0, ""))[0]
                if pid == me:
                    return True
                if pid <= 1:
                    return False
            return False

        return sorted(p for p in new if descends(p) or _mentions(p, self.folders))

    def __exit__(self, *exc: object) -> None:
        deadline = time.monotonic() + 3  # the kernel tears a killed sandbox down in a moment
        while (left := self.leftovers()) and time.monotonic() < deadline:
            time.sleep(0.2)
        self.left = [_describe(pid) for pid in left]
        for pid in left:
            with contextlib.suppress(OSError):
                os.kill(pid, signal.SIGKILL)
        time.sleep(0.2)
        for pid, (parent, _) in _processes().items():  # reap the orphans handed to us
            if parent == os.getpid() and pid not in self._before:
                with contextlib.suppress(ChildProcessError, OSError):
                    os.waitpid(pid, os.WNOHANG)
        self._libc.prctl(_PR_SET_CHILD_SUBREAPER, 0, 0, 0, 0)


def _folder_bytes(folder: Path) -> int:
    total = 0
    for path, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                total += os.lstat(os.path.join(path, name)).st_size
    return total


class DiskWatch:
    """The most bytes the test's folders held above what they held at the start."""

    def __init__(self, folders: list[Path]):
        self.folders = [f for f in folders if not any(o in f.parents for o in folders)]
        self.peak = 0
        self._stop = threading.Event()

    def _bytes(self) -> int:
        return sum(_folder_bytes(folder) for folder in self.folders)

    def _watch(self) -> None:
        while not self._stop.wait(0.25):
            self.peak = max(self.peak, self._bytes() - self._start)

    def __enter__(self) -> "DiskWatch":
        self._start = self._bytes()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


class Listener:
    """A TCP listener on 127.0.0.1 that records every connection made to it."""

    def __init__(self) -> None:
        self.connections: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                connection, _ = self._server.accept()
            except TimeoutError:
                continue
            with connection:
                connection.settimeout(1)
                with contextlib.suppress(OSError):
                    self.connections.append(connection.recv(200))

    def __enter__(self) -> "Listener":
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._server.close()


# One batch


@dataclass
class BatchRun:
    root: Path
    tmpdir: Path
    """The batch's TMPDIR."""
    submissions: dict[str, Path]
    """Each submission's folder or zip, by id."""
    out: Path
    level: str = AS_ALLOWED
    """Where user namespaces stand (as this machine allows them) or are blocked."""
    code: int = 0
    output: str = ""
    seconds: float = 0.0
    left_running: list[str] = field(default_factory=list)
    peak_bytes: int = 0
    connections: list[bytes] = field(default_factory=list)

    def report(self, submission_id: str) -> dict[str, Any]:
        path = self.out / f"{submission_id}.json"
        assert path.is_file(), f"no {path.name}: the batch wrote no report for {submission_id}"
        return json.loads(path.read_text(encoding="utf-8"))

    def gradebook(self) -> dict[str, dict[str, str]]:
        path = self.out / "gradebook.csv"
        assert path.is_file(), "the batch wrote no gradebook.csv"
        with path.open(newline="", encoding="utf-8") as f:
            return {row["id"]: row for row in csv.DictReader(f)}


def run_batch(
    root: Path,
    tmpdir: Path,
    chosen: list[HostileEntry],
    ids: dict[str, str],
    *,
    workers: int,
    level: str = AS_ALLOWED,
) -> BatchRun:
    """Build the submissions in ``root`` (hostile entries under ``ids``, plus the two honest
    ones), grade them in one ``grader batch`` with ``tmpdir`` as TMPDIR, at ``level``, and
    watch what it leaves."""
    submissions, out, hidden = root / "submissions", root / "out", root / "hidden-checks"
    for folder in (submissions, root / "cwd"):
        folder.mkdir()
    shutil.copytree(HIDDEN_EXAMPLE, hidden, ignore=shutil.ignore_patterns("__pycache__"))
    secret = other_course_file(root)
    with Listener() as listener:
        places = {
            "KIT": str(ROOT),
            "SUBMISSIONS": str(submissions),
            "OUT": str(out),
            "HIDDEN": str(hidden),
            "PORT": str(listener.port),
            "SECRET": str(secret),
        }
        paths = {ids[e.name]: build_submission(e, submissions, ids[e.name], places) for e in chosen}
        paths[HONEST_FIRST] = build_honest(submissions, HONEST_FIRST, as_zip=False)
        paths[HONEST_LAST] = build_honest(submissions, HONEST_LAST, as_zip=True)
        run = BatchRun(root, tmpdir, paths, out, level)
        walls = [sys.executable, str(BLOCKED)] if level == USERNS_BLOCKED else []
        command = [*walls, sys.executable, "-m", "grader", "batch", str(submissions)]
        command += ["--out", str(out), "--workers", str(workers), "--timeout", str(TIMEOUT)]
        command += ["--hidden-tests", str(hidden), "--lang", "en"]
        env = {**os.environ, "TMPDIR": str(tmpdir), "GRADER_LANG": "en"}
        start = time.monotonic()
        with ProcessWatch([root, tmpdir]) as watch, DiskWatch([root, tmpdir]) as disk:
            batch = subprocess.Popen(
                command,
                cwd=root / "cwd",
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            try:
                output, _ = batch.communicate(timeout=600)
            finally:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(batch.pid, signal.SIGKILL)
                batch.wait()
        run.code = batch.returncode
        run.output = output.decode("utf-8", "replace")
        run.seconds = time.monotonic() - start
        run.left_running, run.peak_bytes = watch.left, disk.peak
        run.connections = list(listener.connections)
    if secret.parent != root:
        shutil.rmtree(secret.parent, ignore_errors=True)
    return run


@pytest.fixture(scope="module", params=LEVELS)
def batch(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[BatchRun]:
    """The whole corpus in one batch, at each level: as this machine allows, and where user
    namespaces are blocked (as Ubuntu 23.10+, Docker and most CI containers do)."""
    level = request.param
    if level == USERNS_BLOCKED and landlock_abi() < 1:
        pytest.skip(
            "this kernel has no Landlock: with user namespaces blocked nothing hides the kit"
        )
    root = tmp_path_factory.mktemp(f"hostile-{level}")
    scratch = scratch_folder()
    scratch.mkdir(parents=True, exist_ok=True)
    tmpdir = Path(tempfile.mkdtemp(prefix="hostile-", dir=scratch))
    try:
        ids = {e.name: e.name for e in ENTRIES}
        yield run_batch(root, tmpdir, ENTRIES, ids, workers=WORKERS, level=level)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


# What a report says


def visible_score(report: dict[str, Any], exercise_name: str | None = None) -> int:
    """Points earned on the kit's own checks (an instructor's hidden checks left out)."""
    return sum(
        t["score"]
        for t in report["tests"]
        if not t.get("hidden") and exercise_name in (None, t["exercise"])
    )


def said_about(report: dict[str, Any], row: dict[str, str], exercise_name: str) -> str:
    """What the report says about an exercise: its checks' statuses and messages, and the
    submission's status, message and ignored files (never the isolation note, which names
    every limit whatever happened)."""
    parts = [
        f"{t['status']}: {t['message']}" for t in report["tests"] if t["exercise"] == exercise_name
    ]
    parts.append(json.dumps(report.get("submission", {}), ensure_ascii=False))
    parts.append(row.get("status", ""))
    return "\n".join(parts)


def _summary(report: dict[str, Any], exercise_name: str) -> str:
    return "\n".join(
        f"  {t['name']}: {t['status']} {t['score']}/{t['max_score']} {t['message'][:300]!r}"
        for t in report["tests"]
        if t["exercise"] == exercise_name
    )


def test_manifest_entries_are_complete() -> None:
    assert len(ENTRIES) >= 15
    folders = {
        p.name for p in HOSTILE.iterdir() if p.is_dir() and not p.name.startswith((".", "_"))
    }
    assert folders <= set(BY_NAME), f"folders without a manifest entry: {folders - set(BY_NAME)}"
    for entry in ENTRIES:
        assert entry.folder.is_dir() or entry.zip or entry.links, entry.name
        assert entry.zip in ("", *ZIP_MEMBERS), entry.name
        assert entry.base in ("solution", "none"), entry.name
        most = sum(exercise(n).max_score for n in {entry.exercise, *entry.honest})
        assert 0 <= entry.min_score <= entry.max_score < most or entry.max_score == 0, entry.name
        assert entry.words and entry.attack, entry.name
        module = entry.folder / exercise(entry.exercise).relative_path
        if module.is_file():
            text = module.read_bytes().decode("utf-8", "replace").lower()
            assert f"hostile-entry {entry.name}" in text, f"{module} must name its entry"


def test_the_batch_went_on(batch: BatchRun) -> None:
    assert batch.code == 0, batch.output[-3000:]
    assert "Traceback" not in batch.output, batch.output[-3000:]
    rows = batch.gradebook()
    assert set(rows) == set(batch.submissions), "every submission has a gradebook row"
    assert (batch.out / "summary.html").is_file()
    for submission_id in batch.submissions:
        batch.report(submission_id)


def _expect_hole(entry: HostileEntry, request: pytest.FixtureRequest) -> None:
    if entry.known_hole:
        request.applymarker(pytest.mark.xfail(strict=True, reason=entry.known_hole))


@pytest.mark.parametrize("entry", ENTRIES, ids=[e.name for e in ENTRIES])
def test_hostile_submission_is_contained(
    entry: HostileEntry, batch: BatchRun, request: pytest.FixtureRequest
) -> None:
    _expect_hole(entry, request)
    report, row = batch.report(entry.name), batch.gradebook().get(entry.name)
    assert row is not None and row.get("status"), f"no gradebook row with a status: {row}"
    score = visible_score(report)
    shown = _summary(report, entry.exercise)
    assert score <= entry.max_score, (
        f"{entry.name} ({entry.attack}) earned {score}, more than its honest part's "
        f"{entry.max_score}: the attack worked.\n{shown}"
    )
    assert score >= entry.min_score, (
        f"{entry.name} earned {score}, less than its honest part's {entry.min_score}: the "
        f"batch gave up on more than the attack.\n{shown}"
    )
    said = said_about(report, row, entry.exercise).lower()
    missing = [w for w in entry.words if not any(a.lower() in said for a in w.split("|"))]
    assert not missing, f"the report does not say {missing}:\n{said[:3000]}"


@pytest.mark.parametrize("submission_id", [*BY_NAME, HONEST_FIRST, HONEST_LAST])
def test_report_is_the_graders_own(submission_id: str, batch: BatchRun) -> None:
    """The report follows the schema, its totals add up from its checks with the kit's points,
    its fingerprint names the submitted files, its gradebook row agrees, and no forged report,
    planted module or conftest wrote any of it."""
    report = batch.report(submission_id)
    validate(report)
    text = json.dumps(report)
    assert not [m for m in MARKERS if m in text], "a forged report, a planted module or a conftest"
    points = {(e.name, c): p for e in exercises() for c, p in e.points.items()}
    for test in report["tests"]:
        if not test.get("hidden"):
            assert test["max_score"] == points[(test["exercise"], test["name"])], test
        assert test["score"] == (test["max_score"] if test["status"] == "passed" else 0), test
    for summary in report["exercises"]:
        tests = [t for t in report["tests"] if t["exercise"] == summary["name"]]
        assert summary["score"] == sum(t["score"] for t in tests), summary
        assert summary["max_score"] == sum(t["max_score"] for t in tests), summary
    assert report["score"] == sum(e["score"] for e in report["exercises"])
    assert report["max_score"] == sum(e["max_score"] for e in report["exercises"])
    submitted = submitted_files(batch.submissions[submission_id])
    for name, digest in report["fingerprint"]["files"].items():
        assert name in submitted, f"the report fingerprints {name}, which was not submitted"
        assert digest == hashlib.sha256(submitted[name]).hexdigest(), name
    row = batch.gradebook()[submission_id]
    assert float(row["total"]) == report["score"], row
    for summary in report["exercises"]:
        assert float(row[summary["name"]]) == summary["score"], (summary["name"], row)
    assert row["status"] == report["submission"]["status"]
    if report["submission"]["status"] != "unreadable":  # the student's code ran
        isolation = report.get("isolation")
        assert isolation and isolation.get("level") and isolation.get("note"), (
            f"no isolation level in a {report['submission']['status']} report: {isolation}"
        )


def test_student_code_ran_behind_the_walls_of_its_level(batch: BatchRun) -> None:
    """The proof holds only for the walls that stood: every submission whose code ran (the
    honest ones, and every entry with an honest part) says it ran in namespaces where the
    machine allows them, and behind Landlock and seccomp, outside namespaces, where user
    namespaces are blocked."""
    ran = [HONEST_FIRST, HONEST_LAST, *(e.name for e in ENTRIES if e.min_score > 0)]
    expected = "namespaces" if batch.level == AS_ALLOWED else "process"
    wrong = {}
    for submission_id in ran:
        isolation = batch.report(submission_id).get("isolation") or {}
        active = {layer["name"] for layer in isolation.get("layers", []) if layer["active"]}
        if isolation.get("level") != expected or not {"landlock", "seccomp"} <= active:
            wrong[submission_id] = (isolation.get("level"), sorted(active))
    assert not wrong, f"expected level {expected} with landlock and seccomp: {wrong}"


def test_honest_submissions_get_full_marks(batch: BatchRun) -> None:
    for submission_id in (HONEST_FIRST, HONEST_LAST):
        report = batch.report(submission_id)
        for summary in report["exercises"]:
            if summary["name"] in HONEST_EXERCISES:
                assert summary["score"] == summary["max_score"], (
                    f"{submission_id}: {summary}\n{_summary(report, summary['name'])}"
                )
        assert report["submission"]["status"] == "graded"


def test_nothing_is_left_running(batch: BatchRun) -> None:
    assert not batch.left_running, "left running after the batch:\n" + "\n".join(batch.left_running)


def test_no_forged_planted_or_escaped_file(batch: BatchRun) -> None:
    """Outside the submissions: no file a hostile entry wrote (a forged report, a planted
    pytest.py, a probe) and none a zip tried to put outside its submission."""
    submissions = batch.root / "submissions"
    found = []
    roots = [batch.root, batch.tmpdir, Path("/tmp")]
    for root in roots:
        for folder, names, filenames in os.walk(root):
            if Path(folder) == submissions or (root == Path("/tmp") and folder != "/tmp"):
                names[:] = []
                continue
            for name in filenames:
                path = Path(folder) / name
                if ESCAPED in name or name.startswith(".hostile-probe-"):
                    found.append(str(path))
                elif name.endswith((".py", ".json", ".csv", ".html")) and path.is_file():
                    with contextlib.suppress(OSError):
                        content = path.read_bytes()[: 2**20]
                        if any(m.encode() in content for m in MARKERS):
                            found.append(str(path))
    assert not found, "written by hostile code:\n" + "\n".join(found)


def test_nothing_reached_the_network(batch: BatchRun) -> None:
    assert not batch.connections, batch.connections


def test_disk_use_stays_bounded(batch: BatchRun) -> None:
    """Neither the zip bomb nor the disk filler puts gigabytes on the grading machine's disk."""
    assert batch.peak_bytes < DISK_LIMIT, f"the batch held {batch.peak_bytes} bytes at once"


@pytest.mark.parametrize("batch", [AS_ALLOWED], indirect=True)
def test_regrading_in_another_order_gives_identical_marks(
    batch: BatchRun, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """Other ids (in reverse order, so the submissions are graded in another order and beside
    other neighbours), one worker, TMPDIR under /tmp: every check gets the same status and
    points."""
    chosen = [BY_NAME[name] for name in REGRADED]
    ids = {e.name: f"{len(chosen) - i:02d}-{e.name}" for i, e in enumerate(chosen)}
    root = tmp_path_factory.mktemp("hostile-again")
    (root / "tmp").mkdir()
    again = run_batch(root, root / "tmp", chosen, ids, workers=1)
    assert not again.left_running, again.left_running

    def marks(run: BatchRun, submission_id: str, name: str) -> list[tuple[str, ...]]:
        tests = run.report(submission_id)["tests"]
        race = name in BY_NAME and BY_NAME[name].limit_race
        return [
            (t["exercise"], t["name"], *(() if race else (t["status"],)), str(t["score"]))
            for t in tests
        ]

    pairs = {name: (name, ids[name]) for name in REGRADED}
    pairs |= {s: (s, s) for s in (HONEST_FIRST, HONEST_LAST)}
    differ = {
        name: f"{visible_score(batch.report(first))} then {visible_score(again.report(second))}"
        for name, (first, second) in pairs.items()
        if marks(batch, first, name) != marks(again, second, name)
    }
    assert not differ, f"marks changed on a second grading (TMPDIR under /tmp): {differ}"


@pytest.mark.parametrize(
    "name", ["symlink_file", "symlink_dir", "conftest_in_submission", "monkeypatch_grader"]
)
def test_grader_grade_alone_is_not_fooled(
    name: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    """``grader grade`` on one submission folder, outside any batch."""
    entry = BY_NAME[name]
    _expect_hole(entry, request)
    places = {
        "KIT": str(ROOT),
        "SUBMISSIONS": str(tmp_path),
        "OUT": str(tmp_path / "out"),
        "HIDDEN": str(tmp_path / "hidden"),
        "PORT": "9",
    }
    folder = build_submission(entry, tmp_path, name, places)
    report_path = tmp_path / "report.json"
    only = ",".join(dict.fromkeys([entry.exercise, *entry.honest]))
    command = [sys.executable, "-m", "grader", "grade", str(folder), "--json", str(report_path)]
    done = subprocess.run(
        [*command, "--quiet", f"--only={only}"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(report_path.read_text(encoding="utf-8"))
    score = visible_score(report)
    assert entry.min_score <= score <= entry.max_score, (
        f"{name} earned {score}, expected {entry.min_score} to {entry.max_score}\n"
        + _summary(report, entry.exercise)
    )
